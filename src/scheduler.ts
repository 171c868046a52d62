import type { AppDeps } from './app/deps.ts';
import { pruneDeliveryKeys } from './app/prune-delivery-keys.ts';
import { DEFAULT_RECOVERY_GRACE_MS, recoverInterrupted } from './app/recover.ts';
import { expireAndRemind, revokeDueGrants } from './app/revoke-due.ts';

/**
 * Periodic due work: recovery of interrupted changes, time-bound revocations, expiry and reminders,
 * and forgetting old delivery (de-duplication) keys.
 * The store is the source of truth; the timer only decides how often to ask it.
 * `tick(graceMs)` overrides the recovery grace once (0 at the start of a single-process store,
 * where nothing else can be mid-change).
 */
export interface Scheduler {
  /** All due work once now; `recoveryGraceMs` overrides the recovery grace for this run. */
  tick(recoveryGraceMs?: number): Promise<void>;
  /** Only the recovery of interrupted changes (at start, before people can click). */
  recover(graceMs: number): Promise<void>;
  /** No more runs; resolves once a run in progress has finished, so no claim is left half done. */
  stop(): Promise<void>;
}

export function startScheduler(deps: AppDeps, intervalMs: number): Scheduler {
  let running: Promise<void> | undefined;
  type Step = readonly [string, () => Promise<unknown>];
  const run = async (steps: Step[]) => {
    if (running) return running;
    running = (async () => {
      try {
        // Each step on its own: a failing one (store or directory down) must not starve the others.
        for (const [what, step] of steps)
          await step().catch((err: unknown) =>
            deps.log.error({ err, what }, 'scheduled work failed; will retry next tick'),
          );
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const recovery = (graceMs: number): Step => ['recovery', () => recoverInterrupted(deps, graceMs)];
  const tick = (recoveryGraceMs = DEFAULT_RECOVERY_GRACE_MS) =>
    run([
      // Audit records a MongoDB commit saved with its request but could not yet move into the chain.
      ['audit outbox', async () => deps.requests.drainOutbox?.()],
      recovery(recoveryGraceMs),
      ['revocation', () => revokeDueGrants(deps)],
      ['expiry', () => expireAndRemind(deps)],
      ['delivery keys', () => pruneDeliveryKeys(deps)],
    ]);
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return {
    tick,
    recover: (graceMs) => run([recovery(graceMs)]),
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
