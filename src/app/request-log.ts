import type { RoleRequest } from '../core/request-record.ts';
import type { AppDeps } from './deps.ts';

/**
 * The log fields every line of one request's handling carries (see LogScope in deps.ts):
 * `requestId`, `tenant`, `requesterId` (Slack id) and `targetId` (Slack id, else SCIM id).
 */
export function inLogScope<T>(
  deps: AppDeps,
  fields: Record<string, unknown>,
  fn: () => Promise<T>,
): Promise<T> {
  return deps.logScope ? deps.logScope.run(fields, fn) : fn();
}

export function bindRequest(deps: AppDeps, r: RoleRequest): void {
  deps.logScope?.bind({
    requestId: r.id,
    tenant: r.tenantId,
    requesterId: r.requester.slackUserId ?? r.requester.scimId,
    targetId: r.target.slackUserId ?? r.target.scimId,
  });
}
