import type { RoleRequest, RunningGrant } from '../core/request-record.ts';
import type { AppDeps } from './deps.ts';
import { findAll } from './find-all.ts';

/** States in which a time-bound grant's role may still be on the person (not yet taken off). */
const HELD = new Set<RoleRequest['state']>(['applied', 'revoking', 'revoke_failed']);

/**
 * The time-bound grant of this role the person holds right now, and since when they have held the
 * role without a break under such grants (a grant asked before the previous one ended continues its
 * span). maxDuration is judged on that span, so asking again before the end cannot chain grants
 * past the limit. A grant whose end has come but whose role is not yet removed still counts.
 * Reads the whole history page by page: judging on a truncated one could miss the span's start.
 */
export async function runningGrant(
  deps: AppDeps,
  tenantId: string,
  scimId: string,
  role: string,
  now: Date,
): Promise<RunningGrant | undefined> {
  const found = await findAll(deps.requests, {
    tenantId,
    targetScimId: scimId,
    role,
    states: ['applied', 'revoking', 'revoke_failed', 'revoked'],
  });
  const t = now.getTime();
  const spans = found
    .filter((r) => r.action === 'grant' && r.appliedAt !== undefined && r.grantEndsAt !== undefined)
    .map((r) => {
      const start = Date.parse(r.appliedAt!);
      const end = Date.parse(r.grantEndsAt!);
      return { r, start, end: HELD.has(r.state) ? Math.max(end, t) : end };
    })
    .filter((s) => s.start <= t);
  const current = spans
    .filter((s) => HELD.has(s.r.state) && s.end >= t)
    .sort((a, b) => Date.parse(b.r.grantEndsAt!) - Date.parse(a.r.grantEndsAt!))[0];
  if (!current) return undefined;
  // Walk back through grants that overlapped or touched the span found so far.
  let since = Math.min(...spans.filter((s) => HELD.has(s.r.state) && s.end >= t).map((s) => s.start));
  for (let moved = true; moved; ) {
    moved = false;
    for (const s of spans)
      if (s.start < since && s.end >= since) {
        since = s.start;
        moved = true;
      }
  }
  return {
    requestId: current.r.id,
    since: new Date(since).toISOString(),
    endsAt: current.r.grantEndsAt!,
  };
}
