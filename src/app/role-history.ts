import type { RoleRequest } from '../core/request-record.ts';
import type { AppDeps } from './deps.ts';
import { findAll } from './find-all.ts';

/**
 * What Rolecall did to one person's role over time, read from the store: which grants are still in
 * force, whether an approved revoke ended one, and whether a role was there before Rolecall gave it.
 * Time-bound ends and `reconcile` decide from this, never from one request alone.
 */
const ms = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));

/** When an applied request's change took effect (older records: derived from the grant's end). */
export function appliedAt(r: RoleRequest): number {
  if (r.appliedAt) return ms(r.appliedAt);
  if (r.grantEndsAt && r.durationMs) return ms(r.grantEndsAt) - r.durationMs;
  return ms(r.updatedAt);
}

/** States of a request whose change reached the directory at some point. */
const ONCE_APPLIED: RoleRequest['state'][] = ['applied', 'revoking', 'revoked', 'revoke_failed'];

export interface RoleHistory {
  /** Every once-applied grant and applied revoke of this role for this person, bar `of` itself. */
  changes: RoleRequest[];
  /** Grants of it approved or being applied right now. */
  inFlight: RoleRequest[];
}

export async function roleHistory(deps: Pick<AppDeps, 'requests'>, of: RoleRequest): Promise<RoleHistory> {
  // All of them: the grant that explains a held role may be the oldest (issue 13 item 7).
  const found = await findAll(deps.requests, {
    tenantId: of.tenantId,
    targetScimId: of.target.scimId!,
    role: of.role,
    states: [...ONCE_APPLIED, 'approved', 'applying'],
  });
  const others = found.filter((o) => o.id !== of.id);
  return {
    changes: others.filter(
      (o) => ONCE_APPLIED.includes(o.state) && (o.action === 'grant' || o.state === 'applied'),
    ),
    inFlight: others.filter(
      (o) => o.action === 'grant' && (o.state === 'approved' || o.state === 'applying'),
    ),
  };
}

/**
 * An approved revoke of the role took effect at or after `from` (and no later than `to`). At the
 * same instant the revoke counts as later: when in doubt, the role is gone.
 */
export function revokedBetween(h: RoleHistory, from: number, to = Number.POSITIVE_INFINITY): boolean {
  return h.changes.some(
    (o) => o.action === 'revoke' && o.state === 'applied' && appliedAt(o) >= from && appliedAt(o) <= to,
  );
}

/**
 * Another applied grant still in force at `now` (permanent, or ending later) that no approved
 * revoke has ended since it was applied, e.g. an extension or a longer grant.
 */
export function coveringGrant(h: RoleHistory, now: number): RoleRequest | undefined {
  return h.changes.find(
    (o) =>
      o.action === 'grant' &&
      o.state === 'applied' &&
      (o.grantEndsAt === undefined || ms(o.grantEndsAt) > now) &&
      !revokedBetween(h, appliedAt(o)),
  );
}

/** The person held the role already when this grant was applied (older records: from rolesBefore, while it still says so). */
function heldWhenApplied(g: RoleRequest): boolean {
  if (g.heldBefore !== undefined) return g.heldBefore;
  const untouched = g.state === 'applied' || g.state === 'revoking' || g.state === 'revoke_failed';
  return untouched && (g.rolesBefore?.includes(g.role) ?? false);
}

/**
 * True when the person held the role before `r` and no Rolecall grant explains it (e.g. it comes
 * from the IdP): ending `r` must not take away what Rolecall never gave. Follows a chain of
 * overlapping grants back to the one that actually added the role, if any.
 */
export function heldOutsideRolecall(h: RoleHistory, r: RoleRequest): boolean {
  const seen = new Set<string>();
  let cur = r;
  while (heldWhenApplied(cur)) {
    seen.add(cur.id);
    const start = appliedAt(cur);
    const prev = h.changes.find(
      (o) =>
        o.action === 'grant' &&
        !seen.has(o.id) &&
        appliedAt(o) <= start &&
        (o.grantEndsAt === undefined || ms(o.grantEndsAt) >= start) &&
        !revokedBetween(h, appliedAt(o), start),
    );
    if (!prev) return true;
    cur = prev;
  }
  return false;
}

/**
 * The target's roles as observed before this request changed anything (at request or confirm),
 * from its audit trail; undefined for records without one. A retried or recovered apply reads the
 * directory after its own earlier write may have landed, so "held before" must come from here.
 */
export async function observedBefore(
  deps: Pick<AppDeps, 'audit'>,
  r: RoleRequest,
): Promise<string[] | undefined> {
  const trail = await deps.audit.query({ requestId: r.id });
  const firstWrite = trail.findIndex((a) => a.kind === 'applying');
  return (firstWrite < 0 ? trail : trail.slice(0, firstWrite)).findLast((a) => a.rolesBefore)?.rolesBefore;
}

/** Whether `r` sent a write before this attempt (its trail has an earlier `applying`). */
export async function wroteBefore(deps: Pick<AppDeps, 'audit'>, r: RoleRequest): Promise<boolean> {
  const trail = await deps.audit.query({ requestId: r.id, kinds: ['applying'] });
  return trail.filter((a) => a.outcome === undefined).length > 1;
}
