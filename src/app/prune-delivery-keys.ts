import type { AppDeps } from './deps.ts';

/**
 * How long a delivery key is remembered. Slack retries an event up to three times within about
 * five minutes (https://api.slack.com/apis/events-api#retries) and an interaction is not retried
 * at all; a day is far longer than any retry can arrive, and still bounds the table.
 */
export const DELIVERY_KEY_RETENTION_MS = 24 * 3_600_000;

/** Forgets de-duplication keys older than the retention (run on the scheduler tick). */
export async function pruneDeliveryKeys(
  deps: AppDeps,
  retentionMs = DELIVERY_KEY_RETENTION_MS,
): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - retentionMs);
  const pruned = await deps.events.prune(cutoff);
  if (pruned > 0) deps.log.debug({ pruned, cutoff: cutoff.toISOString() }, 'pruned delivery keys');
  return pruned;
}
