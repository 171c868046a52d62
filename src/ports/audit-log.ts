import type { AuditEvent, AuditKind, AuditRecord } from '../core/audit.ts';

/**
 * AuditLog: append-only, hash-chained record of everything Rolecall did or refused.
 *
 * Contract:
 * - `append` validates the event, assigns the next `seq`, `prevHash` (hash of the previous record,
 *   or 64 zeros) and `hash`, and is durable when it resolves. Concurrent appends (even from several
 *   processes on one MongoDB) never share a seq or fork the chain.
 * - There is no update or delete.
 * - `verify` recomputes the chain and reports the first broken seq.
 * - Failures throw `STORE.UNAVAILABLE`.
 */
export interface AuditQuery {
  tenantId?: string;
  /** Matches requester, target or actor by Slack user id, email or SCIM id. */
  user?: string;
  kinds?: AuditKind[];
  since?: string;
  until?: string;
  requestId?: string;
  /** Oldest first by seq; default 1000. */
  limit?: number;
}

export interface AuditVerification {
  ok: boolean;
  count: number;
  /** First seq whose hash or link does not match. */
  brokenAt?: number;
}

export interface AuditLog {
  append(event: AuditEvent): Promise<AuditRecord>;
  query(query: AuditQuery): Promise<AuditRecord[]>;
  verify(): Promise<AuditVerification>;
}
