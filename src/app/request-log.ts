import type { RoleRequest } from '../core/request-record.ts';
import type { AppDeps } from './deps.ts';

/**
 * The log fields every line of one request's handling carries (see LogScope in src/ports/log.ts):
 * `requestId`, `tenant`, `requesterId` (Slack id) and `targetId` (Slack id, else SCIM id).
 */
export function inLogScope<T>(
  deps: AppDeps,
  fields: Record<string, unknown>,
  fn: () => Promise<T>,
): Promise<T> {
  return deps.logScope ? deps.logScope.run(fields, fn) : fn();
}

const requestFields = (r: RoleRequest) => ({
  requestId: r.id,
  tenant: r.tenantId,
  requesterId: r.requester.slackUserId ?? r.requester.scimId,
  targetId: r.target.slackUserId ?? r.target.scimId,
});

export function bindRequest(deps: AppDeps, r: RoleRequest): void {
  deps.logScope?.bind(requestFields(r));
}

/** Scheduled work (revocation, expiry, recovery) has no inbound message: one scope per request. */
export function inRequestScope<T>(deps: AppDeps, r: RoleRequest, fn: () => Promise<T>): Promise<T> {
  return inLogScope(deps, requestFields(r), fn);
}
