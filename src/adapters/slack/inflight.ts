import { errorCode } from '../../core/errors.ts';
import type { Logger } from '../log/logger.ts';

/**
 * Use-case work started after Slack was acknowledged. Failures are logged here (the listener already
 * answered Slack, so nobody else can); `drain` lets shutdown finish what was accepted.
 */
export class InFlight {
  readonly #pending = new Set<Promise<void>>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Starts `fn` on the next turn of the event loop (setImmediate), not in a microtask: Node runs
   * microtasks right after the listener that acked, before it reads the next request, so work begun
   * there (a synchronous SQLite commit, JSON, rendering) delayed every other ack waiting in the same
   * poll phase. Deferred, all requests already received are acked first (BENCHMARKS.md, ack latency).
   */
  run(what: string, ctx: Record<string, unknown>, fn: () => Promise<unknown>): Promise<void> {
    const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(fn)
      .then(
        () => undefined,
        (err: unknown) => this.#log.error({ err, code: errorCode(err), what, ...ctx }, `${what} failed`),
      )
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
    return p;
  }

  /** Resolves once nothing is running, including work started while it waited (tests: "settled"). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Resolves true when everything finished, false when `timeoutMs` passed first. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.#pending.size === 0) return true;
    // An unref'd deadline: waiting for stragglers never keeps the process alive by itself.
    const signal = AbortSignal.timeout(timeoutMs);
    const timeout = new Promise<false>((resolve) => {
      signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    const all = Promise.allSettled([...this.#pending]).then(() => true as const);
    return Promise.race([all, timeout]);
  }
}
