import type { AuditEvent, AuditKind, AuditRecord } from '../core/audit.ts';

/**
 * AuditLog: append-only, hash-chained record of everything Rolecall did or refused.
 *
 * Contract:
 * - `append` validates the event, assigns the next `seq`, `prevHash` (hash of the previous record,
 *   or 64 zeros), `keyId` (when a key is configured) and `hash` (HMAC-SHA256 under that key, else
 *   SHA-256, over the RFC 8785 form of the rest), and is durable when it resolves. Concurrent
 *   appends (even from several processes on one MongoDB) never share a seq or fork the chain.
 * - There is no update or delete.
 * - `verify` recomputes the chain (unkeyed records only before the first keyed one), checks it
 *   against the given checkpoints, and reports the first broken seq and why.
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
  /** At most this many; default 1000. */
  limit?: number;
  /** By seq: `asc` (oldest first, the default) or `desc` (newest first). */
  order?: 'asc' | 'desc';
}

/**
 * A signed statement "the chain had record `seq` with `hash` at `at`", written outside the store
 * (an append-only file and the log stream). `mac` is HMAC-SHA256 under key `keyId` over the RFC 8785
 * form of the other fields; unkeyed deployments write checkpoints without `keyId` and `mac`.
 */
export interface AuditCheckpoint {
  type: 'rolecall.audit.checkpoint';
  seq: number;
  hash: string;
  at: string;
  keyId?: string;
  mac?: string;
}

export interface AuditVerifyOptions {
  /** Already authenticated checkpoints; the chain must match each, and reach the latest. */
  checkpoints?: readonly AuditCheckpoint[];
}

export interface AuditVerification {
  ok: boolean;
  count: number;
  /** Unkeyed (legacy) records at the start of the chain. */
  legacy?: number;
  /** Keys the keyed records were sealed with. */
  keyIds?: string[];
  /** The last record that verified. */
  head?: { seq: number; hash: string };
  /** The latest checkpoint checked against. */
  checkpoint?: { seq: number; at: string };
  /** First seq whose hash or link does not match (for `truncated`: the first missing one). */
  brokenAt?: number;
  reason?: 'chain' | 'unknown_key' | 'unkeyed_after_keyed' | 'checkpoint_mismatch' | 'truncated';
  /** The unknown key id, for `unknown_key`. */
  detail?: string;
}

export interface AuditLog {
  append(event: AuditEvent): Promise<AuditRecord>;
  query(query: AuditQuery): Promise<AuditRecord[]>;
  verify(options?: AuditVerifyOptions): Promise<AuditVerification>;
}
