import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { InFlight } from '../../src/adapters/slack/inflight.ts';

/** Work accepted after an ack: `idle()` is what tests wait on instead of a reply that comes first. */

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('InFlight.idle', () => {
  it('resolves at once with nothing running', async () => {
    await new InFlight(createLogger({ level: 'silent' })).idle();
  });

  it('waits for work started while it waited, and for failures too', async () => {
    const work = new InFlight(createLogger({ level: 'silent' }));
    const first = deferred();
    const second = deferred();
    const done: string[] = [];
    void work.run('first', {}, async () => {
      await first.promise;
      // Started while idle() is already waiting on `first`.
      void work.run('second', {}, async () => {
        await second.promise;
        done.push('second');
      });
      done.push('first');
    });
    void work.run('fails', {}, async () => {
      throw new Error('boom');
    });
    let idle = false;
    const waiting = work.idle().then(() => {
      idle = true;
    });
    first.resolve();
    // setImmediate runs after every pending microtask (no I/O here), so `first` and the failure have
    // settled and idle() has had its chance; `second` is still pending, so it must not have resolved.
    await new Promise<void>((r) => setImmediate(r));
    expect(done).toEqual(['first']);
    expect(idle).toBe(false);
    second.resolve();
    await waiting;
    expect(done).toEqual(['first', 'second']);
    expect(work.size).toBe(0);
  });
});

describe('InFlight.run', () => {
  it("starts the work after the current turn, not in the acking listener's microtasks", async () => {
    const work = new InFlight(createLogger({ level: 'silent' }));
    let started = false;
    void work.run('later', {}, async () => {
      started = true;
    });
    // The old code ran `fn` in the first microtask: before Node read the next request to ack.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(started).toBe(false);
    expect(work.size).toBe(1);
    await work.idle();
    expect(started).toBe(true);
  });
});
