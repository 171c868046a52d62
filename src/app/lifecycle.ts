import { type AuditEvent, type AuditExtra, type AuditKind, auditOf } from '../core/audit.ts';
import { errorCode, RolecallError } from '../core/errors.ts';
import type { Identity } from '../core/identity.ts';
import { type RequestEvent, transition } from '../core/request.ts';
import type { RequestState, RoleRequest } from '../core/request-record.ts';
import type { Card } from '../ports/chat.ts';
import type { AppDeps } from './deps.ts';
import { bindRequest } from './request-log.ts';

export const ROLECALL_ACTOR: Identity = { displayName: 'Rolecall' };

export { auditOf };

/**
 * Moves a request by one event and saves it by compare-and-set, together with the audit records the
 * event implies (one unit of work: RequestStore.commit). Returns the saved request, or
 * `undefined` when the event is a no-op (already decided, duplicate click) or another process won
 * the race — in both cases nothing else may happen (no second PATCH). Store faults propagate.
 */
export async function advance(
  deps: AppDeps,
  request: RoleRequest,
  event: RequestEvent,
): Promise<RoleRequest | undefined> {
  bindRequest(deps, request);
  const result = transition(request, event, deps.clock.now());
  if (!result.ok) {
    deps.log.info(
      { requestId: request.id, event: event.kind, state: request.state, reason: result.reason },
      'transition ignored',
    );
    return undefined;
  }
  const won = await deps.requests.commit({
    request: result.request,
    expectedVersion: request.version,
    audit: result.audit,
  });
  if (won) observeTransition(deps, request, result.request);
  if (!won) {
    deps.log.info(
      { requestId: request.id, event: event.kind },
      'lost compare-and-set; another handler moved this request',
    );
    return undefined;
  }
  return result.request;
}

/** Re-reads and retries an event a few times when a concurrent save moved the request meanwhile. */
export async function advanceFresh(
  deps: AppDeps,
  id: string,
  event: (current: RoleRequest) => RequestEvent | undefined,
): Promise<{ request?: RoleRequest; current?: RoleRequest }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.requests.get(id);
    if (!current) return {};
    bindRequest(deps, current);
    const ev = event(current);
    if (!ev) return { current };
    const result = transition(current, ev, deps.clock.now());
    if (!result.ok) return { current };
    if (
      await deps.requests.commit({
        request: result.request,
        expectedVersion: current.version,
        audit: result.audit,
      })
    ) {
      observeTransition(deps, current, result.request);
      return { request: result.request, current: result.request };
    }
  }
  throw new RolecallError('STORE.UNAVAILABLE', `request ${id} kept changing under concurrent updates`);
}

const OUTCOMES: ReadonlySet<RequestState> = new Set([
  'applied',
  'failed',
  'denied',
  'rejected',
  'expired',
  'cancelled',
]);
const DECIDED: ReadonlySet<RequestState> = new Set(['approved', 'denied', 'rejected']);
const UNDECIDED: ReadonlySet<RequestState> = new Set(['awaiting_confirmation', 'awaiting_approval']);

/**
 * Metrics hooks at the one place every saved state change passes, so no path (expiry, cancel,
 * recovery, new use cases) can forget them: request outcomes, and request→decision latency.
 */
function observeTransition(deps: AppDeps, from: RoleRequest, to: RoleRequest): void {
  const o = deps.observer;
  if (!o || from.state === to.state) return;
  if (OUTCOMES.has(to.state)) o.requestOutcome?.(to.state);
  if (DECIDED.has(to.state) && UNDECIDED.has(from.state))
    o.decisionLatency?.(Date.parse(to.updatedAt) - Date.parse(to.createdAt));
}

/**
 * A record about a request whose state does not change (a refused approver, a reconciliation
 * note). A state change's records come from `advance`, saved with it.
 */
export async function audit(
  deps: AppDeps,
  r: RoleRequest,
  kind: AuditKind,
  extra: AuditExtra = {},
): Promise<void> {
  bindRequest(deps, r);
  await deps.audit.append(auditOf(r, kind, extra));
}

/** Saves a new request together with its `requested` record (and any records after it). */
export async function createRequest(
  deps: AppDeps,
  r: RoleRequest,
  extra: AuditExtra = {},
  more: readonly AuditEvent[] = [],
): Promise<void> {
  bindRequest(deps, r);
  await deps.requests.commit({ request: r, audit: [auditOf(r, 'requested', extra), ...more] });
}

/** Slack's own reason (`not_in_channel`, `is_archived`…) when a chat call failed, else the error code. */
export function deliveryError(err: unknown): string {
  if (err instanceof RolecallError && typeof err.details.error === 'string') return err.details.error;
  return errorCode(err);
}

/**
 * Best effort: a chat failure must never undo or hide a recorded outcome. Returns whether the
 * message went out; a failure is logged and counted (rolecall_slack_delivery_failures_total).
 */
export async function tell(deps: AppDeps, what: string, fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    const reason = deliveryError(err);
    deps.log.warn({ err, what, code: errorCode(err), reason }, 'could not deliver a message');
    deps.observer?.deliveryFailed?.(what, reason);
    return false;
  }
}

/**
 * Tells the requester about their request where the conversation is: in the thread of a channel
 * mention (public there, as the mention was), in their DM with the bot; a request made by
 * /rolecall or its form was private, so its news goes by DM. When the channel post fails (the bot
 * was removed, the channel archived), the news goes by DM instead of being lost.
 */
export async function tellRequester(deps: AppDeps, r: RoleRequest, card: Card, what: string): Promise<void> {
  const o = r.origin;
  // A message (mention or DM) has a ts; a command or its form has none, wherever it was typed —
  // even in a DM, which may be one between two people that the bot cannot post in.
  const thread = o.threadTs ?? o.ts;
  if (thread !== undefined && (await tell(deps, what, () => deps.chat.post(o.channelId, card, thread))))
    return;
  const to = r.requester.slackUserId;
  if (to) await tell(deps, `${what} (DM)`, () => deps.chat.dm(to, card));
}
