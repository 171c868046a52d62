import type { AuditEvent } from '../../src/core/audit.ts';
import type { RoleRequest } from '../../src/core/request-record.ts';

let counter = 0;

/** A valid request at version 0; `createdAt` advances per call so ordering is deterministic. */
export function makeRequest(overrides: Partial<RoleRequest> = {}): RoleRequest {
  counter += 1;
  const n = counter;
  const createdAt = new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();
  return {
    id: `req-${n}-${Math.random().toString(36).slice(2, 8)}`,
    tenantId: 'T1',
    version: 0,
    state: 'awaiting_confirmation',
    createdAt,
    updatedAt: createdAt,
    requester: { slackUserId: 'UREQ1', email: 'req@example.com', scimId: 'scim-req' },
    target: { slackUserId: 'UTGT1', email: 'tgt@example.com', scimId: 'scim-tgt' },
    action: 'grant',
    role: 'billing-admin',
    durationMs: 3_600_000,
    justification: 'quarter close',
    decision: { kind: 'allow', ruleId: 'self-service', capped: false },
    approvals: [],
    origin: { channelId: 'C1', ts: '1700000000.000100' },
    approvalMessages: [],
    confirmationExpiresAt: '2025-01-01T01:00:00.000Z',
    ...overrides,
  };
}

/** The next version of `r` with some fields changed (as transition() would produce). */
export function nextVersion(r: RoleRequest, changes: Partial<RoleRequest> = {}): RoleRequest {
  return { ...structuredClone(r), ...changes, version: r.version + 1 };
}

export function makeEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    kind: 'requested',
    at: '2025-01-01T00:00:00.000Z',
    tenantId: 'T1',
    requestId: 'req-a',
    requester: { slackUserId: 'UREQ1', email: 'Req@Example.com', scimId: 'scim-req' },
    target: { slackUserId: 'UTGT1', email: 'tgt@example.com', scimId: 'scim-tgt' },
    role: 'billing-admin',
    action: 'grant',
    ...overrides,
  } as AuditEvent;
}
