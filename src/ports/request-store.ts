import type { AuditEvent } from '../core/audit.ts';
import type { RequestState, RoleRequest } from '../core/request-record.ts';

/**
 * RequestStore: durable role-change requests with compare-and-set saves.
 *
 * Contract:
 * - `create` inserts a new request (version 0); a second create with the same id throws `STORE.DUPLICATE`.
 * - `save(next, expectedVersion)` writes `next` (whose version must be expectedVersion + 1) only if the
 *   stored version is still `expectedVersion`, and returns whether it won. Exactly one of many
 *   concurrent saves from the same version wins.
 * - `commit(change)` is the unit of work of a state change: it saves the request (create when
 *   `expectedVersion` is absent, else the compare-and-set of `save`) and appends its audit records to
 *   the hash chain (in order, sealed and checkpointed as `AuditLog.append` does) together, or does
 *   neither: it returns false (lost race) or throws with nothing written. On SQLite that is one
 *   transaction over both tables. On MongoDB the records are written inside the request document
 *   (an outbox) by the same compare-and-set, then moved into the chain exactly once, before
 *   `commit` resolves or, if that step fails, by the next commit of the request or `drainOutbox`;
 *   a pending outbox is still saved with the state, never lost.
 * - Reads return deep copies validated against the schema; a corrupt row throws `STORE.CORRUPT`.
 * - `find` returns one page (newest first, at most 500): a caller deciding from "all of them" pages
 *   with `before` (see `findAll` in src/app/find-all.ts); `count` counts without reading records.
 * - Any failure to reach or write the store throws `STORE.UNAVAILABLE` (callers fail closed).
 */
export interface RequestQuery {
  tenantId?: string;
  states?: RequestState[];
  requesterSlackUserId?: string;
  targetSlackUserId?: string;
  /** The target's directory id (time-bound grants of one person, e.g. an extension covering another). */
  targetScimId?: string;
  role?: string;
  /** Requests whose grantEndsAt <= this instant (due revocations). */
  grantEndsBefore?: string;
  /** Requests whose pendingExpiresAt <= this instant, or confirmationExpiresAt <= it. */
  expiresBefore?: string;
  /** Newest first; default 50, at most 500. */
  limit?: number;
  /** Keyset paging: only requests after this one in the newest-first order (createdAt, then id, descending). */
  before?: RequestCursor;
}

export interface RequestChange {
  request: RoleRequest;
  /** The stored version this replaces (compare-and-set); absent for a new request (version 0). */
  expectedVersion?: number;
  /** The records the change implies (TransitionResult.audit), appended in this order. */
  audit: readonly AuditEvent[];
}

export interface RequestCursor {
  createdAt: string;
  id: string;
}

export interface RequestStore {
  create(request: RoleRequest): Promise<void>;
  get(id: string): Promise<RoleRequest | undefined>;
  save(next: RoleRequest, expectedVersion: number): Promise<boolean>;
  /** One unit of work: the request and its audit records, both or neither (see the contract). */
  commit(change: RequestChange): Promise<boolean>;
  /** Moves audit records still waiting in request documents into the chain (MongoDB); count moved. */
  drainOutbox?(): Promise<number>;
  find(query: RequestQuery): Promise<RoleRequest[]>;
  /** How many requests match (limit and before ignored), without reading them. */
  count(query: Omit<RequestQuery, 'limit' | 'before'>): Promise<number>;
  /** True if the store answers reads and writes (for /readyz and doctor). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * EventDeduplicator: remembers delivery keys (Slack `event_id`, action ids) so retried deliveries
 * are processed once, across processes sharing the store. `firstSeen` atomically records the key and
 * returns true only for the first caller. Keys older than `olderThan` may be forgotten by `prune`.
 */
export interface EventDeduplicator {
  firstSeen(key: string, at: Date): Promise<boolean>;
  prune(olderThan: Date): Promise<number>;
}
