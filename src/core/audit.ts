import { z } from 'zod';
import { Decision } from './decision.ts';
import { Identity } from './identity.ts';
import type { RoleRequest } from './request-record.ts';

/**
 * Append-only audit records. Every kind shares the base (who, what, when); a kind adds what only
 * it has. `seq`, `prevHash` and `hash` are assigned by the AuditLog when appending: the hash covers
 * the canonical JSON of the record without `hash`, so editing any field breaks the chain.
 */
const base = {
  at: z.string(),
  tenantId: z.string(),
  requestId: z.string().optional(),
  requester: Identity.optional(),
  target: Identity.optional(),
  /** Who caused this event: an approver, an operator, or Rolecall itself (`{ displayName: 'Rolecall' }`). */
  actor: Identity.optional(),
  role: z.string().optional(),
  action: z.enum(['grant', 'revoke']).optional(),
  rolesBefore: z.array(z.string()).optional(),
  rolesAfter: z.array(z.string()).optional(),
  justification: z.string().optional(),
  ruleId: z.string().optional(),
  decision: Decision.optional(),
  durationMs: z.number().optional(),
  outcome: z.string().optional(),
  errorCode: z.string().optional(),
  note: z.string().optional(),
};

export const AuditEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('requested'), ...base }),
  z.object({ kind: z.literal('confirmed'), ...base }),
  z.object({ kind: z.literal('denied'), ...base }),
  z.object({ kind: z.literal('approval_requested'), ...base }),
  z.object({ kind: z.literal('approved'), ...base }),
  z.object({ kind: z.literal('rejected'), ...base, reason: z.string().optional() }),
  z.object({ kind: z.literal('approval_refused'), ...base }),
  z.object({ kind: z.literal('applying'), ...base }),
  z.object({ kind: z.literal('applied'), ...base, noop: z.boolean().default(false) }),
  z.object({ kind: z.literal('failed'), ...base }),
  z.object({ kind: z.literal('cancelled'), ...base }),
  z.object({ kind: z.literal('expired'), ...base }),
  z.object({ kind: z.literal('revoking'), ...base }),
  z.object({ kind: z.literal('revoked'), ...base }),
  z.object({ kind: z.literal('revoke_failed'), ...base }),
  z.object({ kind: z.literal('reconciled'), ...base }),
  z.object({ kind: z.literal('drift_detected'), ...base }),
  z.object({ kind: z.literal('refused_sender'), ...base }),
  // OAuth distribution: an operator bound or unbound a Slack installation; Slack removed one.
  z.object({ kind: z.literal('installation_bound'), ...base, installationId: z.string() }),
  z.object({ kind: z.literal('installation_unbound'), ...base, installationId: z.string() }),
  z.object({ kind: z.literal('installation_removed'), ...base, installationId: z.string() }),
]);
export type AuditEvent = z.infer<typeof AuditEvent>;
export type AuditKind = AuditEvent['kind'];

/** `keyId`: the key whose HMAC `hash` is; absent on unkeyed (legacy, or keyless playground) records. */
export type AuditRecord = AuditEvent & { seq: number; prevHash: string; hash: string; keyId?: string };

/** What a caller adds to a record its event implies: who caused it, why, how it went. */
export type AuditExtra = Partial<AuditEvent>;

/** An audit record of `kind` carrying both identities and the request's facts, at its updatedAt. */
export function auditOf(r: RoleRequest, kind: AuditKind, extra: AuditExtra = {}): AuditEvent {
  return {
    kind,
    at: r.updatedAt,
    tenantId: r.tenantId,
    requestId: r.id,
    requester: r.requester,
    target: r.target,
    role: r.role,
    action: r.action,
    durationMs: r.durationMs,
    justification: r.justification,
    ruleId: 'ruleId' in r.decision ? r.decision.ruleId : undefined,
    decision: r.decision,
    rolesBefore: r.rolesBefore,
    rolesAfter: r.rolesAfter,
    ...extra,
  } as AuditEvent;
}
