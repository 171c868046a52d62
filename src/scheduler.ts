import type { AppDeps } from './app/deps.ts';
import { recoverInterrupted } from './app/recover.ts';
import { expireAndRemind, revokeDueGrants } from './app/revoke-due.ts';

/**
 * Periodic due work: recovery of interrupted changes, time-bound revocations, expiry and reminders.
 * The store is the source of truth; the timer only decides how often to ask it.
 */
export function startScheduler(deps: AppDeps, intervalMs: number): { tick(): Promise<void>; stop(): void } {
  let running: Promise<void> | undefined;
  const tick = async () => {
    if (running) return running;
    running = (async () => {
      try {
        await recoverInterrupted(deps);
        await revokeDueGrants(deps);
        await expireAndRemind(deps);
      } catch (err) {
        deps.log.error({ err }, 'scheduled work failed; will retry next tick');
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
