import { type AuditEvent, AuditEvent as AuditEventSchema, type AuditRecord } from '../../core/audit.ts';
import { RolecallError } from '../../core/errors.ts';
import { RoleRequest } from '../../core/request-record.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { EventDeduplicator, RequestStore } from '../../ports/request-store.ts';
import { scrubSecrets } from '../log/logger.ts';
import { withoutChainFields } from './audit-hash.ts';
import type { AuditKeyring } from './audit-keys.ts';

/** The three persistence ports over one backing store, closed together. */
export interface StoreSet {
  kind: 'sqlite' | 'mongodb';
  requests: RequestStore;
  events: EventDeduplicator;
  audit: AuditLog;
  /** Set by openStores: the keys the audit chain is sealed and verified with. */
  auditKeys?: AuditKeyring;
  /** Set by openStores: where this process writes audit checkpoints (besides the log). */
  checkpointFile?: string;
  close(): Promise<void>;
}

/** Told the records of each durable append, in chain order (the checkpoint writer listens). */
export type AppendListener = (records: readonly AuditRecord[]) => void;

/** An audit log that says when records became durable, however they were appended. */
export interface ObservableAuditLog extends AuditLog {
  onAppended(listener: AppendListener): void;
}

export const REQUEST_LIMIT = { default: 50, max: 500 } as const;
export const AUDIT_LIMIT = { default: 1000 } as const;

export function clampLimit(limit: number | undefined, def: number, max = Number.MAX_SAFE_INTEGER): number {
  if (limit === undefined || !Number.isFinite(limit)) return def;
  return Math.min(max, Math.max(1, Math.floor(limit)));
}

export function unavailable(op: string, cause: unknown): RolecallError {
  if (cause instanceof RolecallError) return cause;
  const why = cause instanceof Error ? scrubSecrets(cause.message) : 'unknown error';
  return new RolecallError('STORE.UNAVAILABLE', `store unavailable (${op}): ${why}`, {
    cause,
    details: { op },
  });
}

export function corrupt(what: string, id: string | number, cause?: unknown): RolecallError {
  return new RolecallError('STORE.CORRUPT', `stored ${what} ${id} is unreadable`, {
    cause,
    details: { what, id },
  });
}

/** Caller bugs (not store faults): refused before anything is written. */
function invalid(message: string, cause?: unknown): RolecallError {
  return new RolecallError('INTERNAL', message, { cause });
}

/** Validated plain copy of a request about to be created (version 0). */
export function checkNewRequest(request: RoleRequest): RoleRequest {
  const parsed = RoleRequest.safeParse(request);
  if (!parsed.success) throw invalid(`refusing to create an invalid request: ${parsed.error.message}`);
  if (parsed.data.version !== 0)
    throw invalid(`a new request must have version 0, not ${parsed.data.version}`);
  return parsed.data;
}

/** Validated plain copy of the next version of a request. */
export function checkNextRequest(next: RoleRequest, expectedVersion: number): RoleRequest {
  const parsed = RoleRequest.safeParse(next);
  if (!parsed.success) throw invalid(`refusing to save an invalid request: ${parsed.error.message}`);
  if (parsed.data.version !== expectedVersion + 1) {
    throw invalid(
      `request ${parsed.data.id}: saving version ${parsed.data.version} over ${expectedVersion} (must be +1)`,
    );
  }
  return parsed.data;
}

/** Schema-checked request from stored data; anything else is STORE.CORRUPT. */
export function readRequest(data: unknown, id: string): RoleRequest {
  const parsed = RoleRequest.safeParse(data);
  if (!parsed.success) throw corrupt('request', id, parsed.error);
  return parsed.data;
}

/** Schema-checked audit record from stored data (event fields plus seq, prevHash, hash). */
export function readAuditRecord(data: Record<string, unknown>): AuditRecord {
  const seq = data.seq;
  const event = AuditEventSchema.safeParse(withoutChainFields(data));
  if (
    !event.success ||
    typeof seq !== 'number' ||
    typeof data.prevHash !== 'string' ||
    typeof data.hash !== 'string'
  ) {
    throw corrupt('audit record', typeof seq === 'number' ? seq : '?', event.error);
  }
  const keyId = typeof data.keyId === 'string' ? { keyId: data.keyId } : {};
  return { ...event.data, seq, prevHash: data.prevHash, ...keyId, hash: data.hash } as AuditRecord;
}

export function checkAuditEvent(event: AuditEvent): AuditEvent {
  const parsed = AuditEventSchema.safeParse(event);
  if (!parsed.success) throw invalid(`refusing to append an invalid audit event: ${parsed.error.message}`);
  return parsed.data;
}
