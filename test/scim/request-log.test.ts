import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { startPlayground } from '../../src/playground/index.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';

/** The in-memory SCIM server's request log: everything by default, only the newest N when asked. */

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const get = (s: ScimServer, i: number) =>
  fetch(`${s.baseUrl}/Users?filter=${encodeURIComponent(`userName eq "n${i}"`)}`).then((r) => r.text());

/** Sends `n` requests, 25 at a time, each with its index in the filter. */
async function send(s: ScimServer, n: number): Promise<void> {
  for (let i = 0; i < n; i += 25)
    await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, k) => get(s, i + k)));
}

describe('SCIM server request log', () => {
  it('keeps every request by default (tests count them)', async () => {
    const s = await startScimServer();
    closers.push(s.close);
    await send(s, 60);
    expect(s.requests).toHaveLength(60);
  });

  it('with requestLogLimit keeps only the newest N, in the same array, bodies included', async () => {
    const s = await startScimServer({ requestLogLimit: 10 });
    closers.push(s.close);
    const log = s.requests;
    await send(s, 50);
    await fetch(`${s.baseUrl}/Users/nobody`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/scim+json' },
      body: JSON.stringify({ Operations: [] }),
    });
    expect(s.requests).toBe(log);
    expect(log).toHaveLength(10);
    expect(log.at(-1)).toMatchObject({ method: 'PATCH', path: '/Users/nobody', body: { Operations: [] } });
    // Requests 25 at a time may arrive out of order, but only the last batch can be in the newest 9.
    for (const r of log.slice(0, -1)) expect(Number(/n(\d+)/.exec(r.filter!)![1])).toBeGreaterThanOrEqual(25);
  });

  it('refuses a limit that is not a whole number of 0 or more', async () => {
    await expect(startScimServer({ requestLogLimit: -1 })).rejects.toThrow(/requestLogLimit/);
    await expect(startScimServer({ requestLogLimit: 1.5 })).rejects.toThrow(/requestLogLimit/);
  });

  it('the playground keeps no request log at all (its directory is the minimal one, not this server)', async () => {
    const p = await startPlayground({
      env: { ROLECALL_CONFIG: '/nonexistent/rolecall.yml', LOG_LEVEL: 'silent' },
      port: 0,
      logger: createLogger({ level: 'silent' }),
      schedulerIntervalMs: 3_600_000,
    });
    closers.push(p.stop);
    expect(Object.keys(p.scim).sort()).toEqual(['baseUrl', 'close', 'state']);
  });
});
