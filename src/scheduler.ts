import type { AppDeps } from './app/deps.ts';
import { DEFAULT_RECOVERY_GRACE_MS, recoverInterrupted } from './app/recover.ts';
import { expireAndRemind, revokeDueGrants } from './app/revoke-due.ts';

/**
 * Periodic due work: recovery of interrupted changes, time-bound revocations, expiry and reminders.
 * The store is the source of truth; the timer only decides how often to ask it.
 * `tick(graceMs)` overrides the recovery grace once (0 at the start of a single-process store,
 * where nothing else can be mid-change).
 */
export function startScheduler(
  deps: AppDeps,
  intervalMs: number,
): { tick(recoveryGraceMs?: number): Promise<void>; stop(): void } {
  let running: Promise<void> | undefined;
  const tick = async (recoveryGraceMs = DEFAULT_RECOVERY_GRACE_MS) => {
    if (running) return running;
    running = (async () => {
      // Each step on its own: a failing one (store or directory down) must not starve the others.
      const steps = [
        ['recovery', () => recoverInterrupted(deps, recoveryGraceMs)],
        ['revocation', () => revokeDueGrants(deps)],
        ['expiry', () => expireAndRemind(deps)],
      ] as const;
      try {
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
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
