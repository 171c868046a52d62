import type { Decision } from '../../src/core/decision.ts';
import type { Identity } from '../../src/core/identity.ts';
import { newRequest } from '../../src/core/request.ts';
import type { RoleRequest } from '../../src/core/request-record.ts';

export const T0 = new Date('2030-01-01T00:00:00.000Z');
export const at = (ms: number) => new Date(T0.getTime() + ms);

export const alice: Identity = { slackUserId: 'U0ALICE', scimId: 'scim-alice', displayName: 'Alice' };
export const bob: Identity = { slackUserId: 'U0BOB', scimId: 'scim-bob', displayName: 'Bob' };
export const carol: Identity = { slackUserId: 'U0CAROL', scimId: 'scim-carol', displayName: 'Carol' };
export const dave: Identity = { slackUserId: 'U0DAVE', scimId: 'scim-dave', displayName: 'Dave' };
export const vendorRep: Identity = { slackUserId: 'U0VENDOR', slackTeamId: 'T0VENDOR', displayName: 'Rep' };

export const needsOwners = (count = 1, durationMs?: number): Decision => ({
  kind: 'needs_approval',
  ruleId: 'rule-2',
  approverRoles: ['owner'],
  count,
  ...(durationMs ? { durationMs } : {}),
  capped: false,
});

/** Alice asks for Bob to get `admin`; the decision says what happens on confirm. */
export function request(decision: Decision = needsOwners(), more: Partial<RoleRequest> = {}): RoleRequest {
  return {
    ...newRequest({
      id: 'req-1',
      tenantId: 't1',
      now: T0,
      requester: alice,
      target: bob,
      action: 'grant',
      role: 'admin',
      decision,
      origin: { channelId: 'C0ORIGIN', ts: '1.0' },
      confirmationExpiresAt: at(15 * 60_000).toISOString(),
    }),
    ...more,
  };
}
