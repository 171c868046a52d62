import { type AuditEvent, type AuditExtra, type AuditKind, auditOf } from './audit.ts';
import type { Decision } from './decision.ts';
import { type ErrorCode, isErrorCode, retryCanHelp } from './errors.ts';
import type { Identity } from './identity.ts';
import { sameIdentity } from './policy.ts';
import type { Approval, RequestState, RoleRequest } from './request-record.ts';

/**
 * The request lifecycle as one pure function. Every accepted event yields the next record with
 * version + 1 (the store saves it with compare-and-set); every refused one is a value saying why,
 * so a second click, a retried delivery or the loser of a race is a no-op, never an exception.
 *
 *   awaiting_confirmation ─confirm→ approved | awaiting_approval | denied;  ─cancel/expire→ cancelled | expired
 *   awaiting_approval ─approve×count→ approved;  ─reject/cancel/expire→ rejected | cancelled | expired
 *   approved ─start_apply→ applying (write-ahead, before the SCIM call) ─applied/apply_failed→ applied | failed
 *   applying ─apply_unconfirmed→ applying (+error: sent, outcome unknown; recovery decides from the directory)
 *   failed ─retry→ approved (while approvals are fresh: before pendingExpiresAt, when there is one)
 *   applied (time-bound) ─start_revoke→ revoking ─revoked/revoke_failed→ revoked | revoke_failed ─start_revoke→ …
 */
export type RequestEvent = LifecycleEvent & AuditAnnotation;

/**
 * What an event adds to the audit records it implies (see `impliedAudit`): the record is derived
 * from the event, so no caller can save a state change and forget its record.
 */
export interface AuditAnnotation {
  /** Fields for the implied record besides the request's own: actor, note, outcome, errorCode… */
  audit?: AuditExtra;
  /** Records that come just before the implied one in the chain (drift seen, recovery's reconciliation). */
  precededBy?: readonly { kind: AuditKind; extra?: AuditExtra }[];
}

export type LifecycleEvent =
  /**
   * The requester (or the relaying operator) confirms. A fresh decision, if given, replaces the
   * stored one. `by`, when given, must be on the requester's side. pendingTtlMs: timers.pendingTtl.
   */
  | { kind: 'confirm'; by?: Identity; pendingTtlMs?: number; decision?: Decision }
  | { kind: 'cancel'; by?: Identity }
  | { kind: 'expire' }
  | { kind: 'remind' }
  /** The approver was checked with canApprove() at the click; self-approval is refused here too. */
  | { kind: 'approve'; approval: Approval }
  | { kind: 'reject'; by: Identity; reason?: string }
  | { kind: 'start_apply' }
  /**
   * `at`: when the change took effect, if not now (recovery completing an interrupted apply passes
   * the write-ahead instant, so a crash never lengthens a time-bound grant).
   */
  | {
      kind: 'applied';
      before: readonly string[];
      after: readonly string[];
      at?: Date;
      /**
       * Whether the person held the role before this request, when the caller knows it better than
       * `before` (a retried or recovered apply: `before` may show this request's own earlier write).
       */
      heldBefore?: boolean;
    }
  | { kind: 'apply_failed'; code: ErrorCode; message: string }
  /**
   * The write was sent but no read has confirmed or refuted it. The request stays `applying` (its
   * claimedAt is the write-ahead instant) with `error` saying why, for recovery to decide from the
   * directory at its next run without waiting out the crash grace. Never `failed`: the change may
   * be in place.
   */
  | { kind: 'apply_unconfirmed'; code: ErrorCode; message: string }
  /** Try a failed apply again: the directory change is idempotent and callers re-check policy at apply. */
  | { kind: 'retry' }
  /** `early` ends a time-bound grant before grantEndsAt. */
  | { kind: 'start_revoke'; early?: boolean }
  | { kind: 'revoked'; before: readonly string[]; after: readonly string[] }
  | { kind: 'revoke_failed'; code: ErrorCode; message: string };

export type TransitionRefusal =
  /** The event does not apply to this state (e.g. approve before confirm, revoke of a permanent grant). */
  | 'invalid_transition'
  /** The request has moved past the point this event acts on: a retry, or the loser of a race. */
  | 'already_decided'
  | 'duplicate_approval'
  | 'self_approval'
  | 'approves_own_target'
  /** The approver has neither a directory id nor a Slack id, so distinctness can't be checked. */
  | 'unidentified_approver'
  | 'not_requester'
  /** A deadline (confirmation, approval) has passed: expire the request, or ask again. */
  | 'too_late'
  /** A deadline (expiry, grant end) has not come yet. */
  | 'not_due'
  | 'already_reminded'
  | 'not_time_bound';

export type TransitionResult =
  /** `audit`: the records this change implies, to be saved with it as one unit (RequestStore.commit). */
  | { ok: true; request: RoleRequest; changed: true; audit: AuditEvent[] }
  | { ok: false; reason: TransitionRefusal; state: RequestState };

const FINAL: ReadonlySet<RequestState> = new Set(['denied', 'rejected', 'expired', 'cancelled', 'revoked']);

/**
 * No event moves a request out of these. Not final: `applied` (a time-bound grant is revoked
 * later), `failed` (retry) and `revoke_failed` (start_revoke again).
 */
export function isFinal(state: RequestState): boolean {
  return FINAL.has(state);
}

/** How far along the lifecycle a state is: events aimed at an earlier stage are `already_decided`. */
const STAGE: Record<RequestState, number> = {
  awaiting_confirmation: 0,
  awaiting_approval: 1,
  approved: 2,
  applying: 3,
  applied: 4,
  failed: 4,
  revoking: 5,
  revoke_failed: 5,
  revoked: 9,
  denied: 9,
  rejected: 9,
  expired: 9,
  cancelled: 9,
};

/** The config default of timers.pendingTtl, for callers that don't pass one. */
export const DEFAULT_PENDING_TTL_MS = 24 * 3_600_000;

export type NewRequestFields = Omit<
  RoleRequest,
  'version' | 'state' | 'createdAt' | 'updatedAt' | 'approvals' | 'approvalMessages'
> & { now: Date; approvalMessages?: RoleRequest['approvalMessages'] };

/**
 * A fresh request awaiting the requester's confirmation. durationMs is the decided one (after any
 * cap) unless the decision is a denial. Keys given as undefined are left out of the record.
 */
export function newRequest(fields: NewRequestFields): RoleRequest {
  const { now, decision, durationMs: asked, approvalMessages, ...rest } = fields;
  const durationMs = decision.kind === 'deny' ? asked : decision.durationMs;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as typeof rest;
  return {
    ...defined,
    decision,
    ...(durationMs === undefined ? {} : { durationMs }),
    version: 0,
    state: 'awaiting_confirmation',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    approvals: [],
    approvalMessages: approvalMessages ?? [],
  };
}

type Key = keyof RoleRequest;

function next(
  request: RoleRequest,
  now: Date,
  changes: Partial<RoleRequest>,
  drop: readonly Key[] = [],
): TransitionResult {
  const copy: Partial<RoleRequest> = { ...request, ...changes };
  for (const k of drop) delete copy[k];
  return {
    ok: true,
    changed: true,
    request: { ...(copy as RoleRequest), version: request.version + 1, updatedAt: now.toISOString() },
    audit: [],
  };
}

const refuse = (request: RoleRequest, reason: TransitionRefusal): TransitionResult => ({
  ok: false,
  reason,
  state: request.state,
});

/** Refusal for an event whose source states don't include the current one. */
function wrongState(request: RoleRequest, from: readonly RequestState[]): TransitionResult {
  const furthest = Math.max(...from.map((s) => STAGE[s]));
  return refuse(request, STAGE[request.state] > furthest ? 'already_decided' : 'invalid_transition');
}

const plus = (now: Date, ms: number) => new Date(now.getTime() + ms).toISOString();
/** The earlier of two instants (ISO 8601 UTC strings sort as time). */
const earliest = (iso: string, cap: string | undefined) =>
  cap !== undefined && Date.parse(cap) < Date.parse(iso) ? new Date(Date.parse(cap)).toISOString() : iso;
const reached = (now: Date, iso: string | undefined) => iso !== undefined && now.getTime() >= Date.parse(iso);

function isRequesterSide(request: RoleRequest, who: Identity): boolean {
  return (
    sameIdentity(who, request.requester) ||
    (request.relayedBy !== undefined && sameIdentity(who, request.relayedBy))
  );
}

/**
 * Moves a request by one event. An accepted event also yields the audit records it implies, in
 * chain order: `precededBy`, then the event's own (see IMPLIED), each with the event's `audit` fields.
 */
export function transition(request: RoleRequest, event: RequestEvent, now: Date): TransitionResult {
  const result = move(request, event, now);
  if (!result.ok) return result;
  const to = result.request;
  const records = [
    ...(event.precededBy ?? []).map((p) => auditOf(to, p.kind, p.extra)),
    ...impliedAudit(event, to),
  ];
  return { ...result, audit: records };
}

/**
 * The records an accepted event implies. A confirm by the requester is `confirmed`, and `denied`
 * too when the fresh decision is a denial (a denial shown at once, confirmed by nobody, is only
 * `denied`); a reminder and a retry are not audited (the retry's `applying` follows).
 */
function impliedAudit(event: RequestEvent, to: RoleRequest): AuditEvent[] {
  const extra = event.audit ?? {};
  const one = (kind: AuditKind, more: AuditExtra = {}) => [auditOf(to, kind, { ...more, ...extra })];
  switch (event.kind) {
    case 'confirm': {
      const denial = to.decision.kind === 'deny' ? to.decision.reason : undefined;
      const confirmed = event.by ? one('confirmed', { actor: event.by }) : [];
      if (to.state !== 'denied') return confirmed;
      const denied = auditOf(to, 'denied', { outcome: denial, ...(event.by ? {} : extra) });
      return [...confirmed, denied];
    }
    case 'cancel':
      return one('cancelled', event.by ? { actor: event.by } : {});
    case 'expire':
      return one('expired');
    case 'remind':
    case 'retry':
      return [];
    case 'approve':
      return one('approved', { actor: event.approval.approver });
    case 'reject':
      return one('rejected', { actor: event.by, ...(event.reason ? { reason: event.reason } : {}) });
    case 'start_apply':
    case 'apply_unconfirmed':
      return one('applying', event.kind === 'apply_unconfirmed' ? { errorCode: event.code } : {});
    case 'applied':
      return one('applied');
    case 'apply_failed':
      return one('failed', { errorCode: event.code });
    case 'start_revoke':
      return one('revoking');
    case 'revoked':
      return one('revoked');
    case 'revoke_failed':
      return one('revoke_failed', { errorCode: event.code });
  }
}

function move(request: RoleRequest, event: RequestEvent, now: Date): TransitionResult {
  const { state } = request;
  const from = (...states: RequestState[]) =>
    states.includes(state) ? undefined : wrongState(request, states);
  switch (event.kind) {
    case 'confirm': {
      const bad = from('awaiting_confirmation');
      if (bad) return bad;
      if (event.by && !isRequesterSide(request, event.by)) return refuse(request, 'not_requester');
      if (reached(now, request.confirmationExpiresAt)) return refuse(request, 'too_late');
      const decision = event.decision ?? request.decision;
      const timing = decision.kind === 'deny' ? {} : { durationMs: decision.durationMs };
      // The card's deadline is spent once confirmed; keeping it would make the request look due for expiry.
      const drop: Key[] = [
        'confirmationExpiresAt',
        ...(decision.kind !== 'deny' && decision.durationMs === undefined ? (['durationMs'] as const) : []),
      ];
      if (decision.kind === 'allow')
        return next(request, now, { decision, ...timing, state: 'approved' }, drop);
      if (decision.kind === 'deny') return next(request, now, { decision, state: 'denied' }, drop);
      return next(
        request,
        now,
        {
          decision,
          ...timing,
          state: 'awaiting_approval',
          pendingExpiresAt: earliest(plus(now, event.pendingTtlMs ?? DEFAULT_PENDING_TTL_MS), request.endsBy),
        },
        drop,
      );
    }
    case 'cancel': {
      const bad = from('awaiting_confirmation', 'awaiting_approval');
      if (bad) return bad;
      if (event.by && !isRequesterSide(request, event.by)) return refuse(request, 'not_requester');
      return next(request, now, { state: 'cancelled' });
    }
    case 'expire': {
      const bad = from('awaiting_confirmation', 'awaiting_approval');
      if (bad) return bad;
      const deadline =
        state === 'awaiting_confirmation' ? request.confirmationExpiresAt : request.pendingExpiresAt;
      if (deadline !== undefined && !reached(now, deadline)) return refuse(request, 'not_due');
      return next(request, now, { state: 'expired' });
    }
    case 'remind': {
      const bad = from('awaiting_approval');
      if (bad) return bad;
      if (request.reminderSentAt !== undefined) return refuse(request, 'already_reminded');
      return next(request, now, { reminderSentAt: now.toISOString() });
    }
    case 'approve':
      return approve(request, event.approval, now);
    case 'reject': {
      const bad = from('awaiting_approval');
      if (bad) return bad;
      const rejection = {
        by: event.by,
        at: now.toISOString(),
        ...(event.reason ? { reason: event.reason } : {}),
      };
      return next(request, now, { state: 'rejected', rejection });
    }
    case 'start_apply':
      return from('approved') ?? next(request, now, { state: 'applying', claimedAt: now.toISOString() });
    case 'applied': {
      const bad = from('applying');
      if (bad) return bad;
      const timeBound = request.action === 'grant' && request.durationMs !== undefined;
      return next(
        request,
        now,
        {
          state: 'applied',
          appliedAt: (event.at ?? now).toISOString(),
          ...(request.action === 'grant'
            ? { heldBefore: event.heldBefore ?? event.before.includes(request.role) }
            : {}),
          rolesBefore: [...event.before],
          rolesAfter: [...event.after],
          ...(timeBound
            ? { grantEndsAt: earliest(plus(event.at ?? now, request.durationMs!), request.endsBy) }
            : {}),
        },
        timeBound ? ['claimedAt', 'error'] : ['claimedAt', 'error', 'grantEndsAt'],
      );
    }
    case 'apply_failed':
      return (
        from('applying') ??
        next(request, now, { state: 'failed', error: { code: event.code, message: event.message } }, [
          'claimedAt',
        ])
      );
    case 'apply_unconfirmed':
      return from('applying') ?? next(request, now, { error: { code: event.code, message: event.message } });
    case 'retry': {
      const bad = from('failed');
      if (bad) return bad;
      // A policy refusal would only refuse again (after one more write-ahead record).
      if (isErrorCode(request.error?.code) && !retryCanHelp(request.error.code))
        return refuse(request, 'invalid_transition');
      if (request.decision.kind === 'needs_approval' && reached(now, request.pendingExpiresAt))
        return refuse(request, 'too_late');
      // A grant "until 5pm" retried after 5pm would only be taken away again.
      if (reached(now, request.endsBy)) return refuse(request, 'too_late');
      return next(request, now, { state: 'approved' }, ['error']);
    }
    case 'start_revoke': {
      const bad = from('applied', 'revoke_failed');
      if (bad) return bad;
      if (request.action !== 'grant' || request.grantEndsAt === undefined)
        return refuse(request, 'not_time_bound');
      if (!event.early && !reached(now, request.grantEndsAt)) return refuse(request, 'not_due');
      return next(request, now, { state: 'revoking', claimedAt: now.toISOString() }, ['error']);
    }
    case 'revoked':
      return (
        from('revoking') ??
        next(
          request,
          now,
          { state: 'revoked', rolesBefore: [...event.before], rolesAfter: [...event.after] },
          ['claimedAt'],
        )
      );
    case 'revoke_failed':
      return (
        from('revoking') ??
        next(request, now, { state: 'revoke_failed', error: { code: event.code, message: event.message } }, [
          'claimedAt',
        ])
      );
  }
}

/** Counts distinct approvers only; the request is approved when they reach decision.count. */
function approve(request: RoleRequest, approval: Approval, now: Date): TransitionResult {
  if (request.state !== 'awaiting_approval') return wrongState(request, ['awaiting_approval']);
  const { decision } = request;
  if (decision.kind !== 'needs_approval') return refuse(request, 'invalid_transition');
  if (reached(now, request.pendingExpiresAt)) return refuse(request, 'too_late');
  const who = approval.approver;
  if (who.scimId === undefined && who.slackUserId === undefined)
    return refuse(request, 'unidentified_approver');
  if (isRequesterSide(request, who)) return refuse(request, 'self_approval');
  if (sameIdentity(who, request.target)) return refuse(request, 'approves_own_target');
  if (request.approvals.some((a) => sameIdentity(a.approver, who)))
    return refuse(request, 'duplicate_approval');
  const approvals = [...request.approvals, approval];
  const distinct = approvals.filter(
    (a, i) => approvals.findIndex((b) => sameIdentity(a.approver, b.approver)) === i,
  );
  const done = distinct.length >= decision.count;
  return next(request, now, { approvals, ...(done ? { state: 'approved' as const } : {}) });
}
