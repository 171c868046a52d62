import type { AuditRecord } from '../../../core/audit.ts';
import { RolecallError } from '../../../core/errors.ts';
import type { RoleRequest } from '../../../core/request-record.ts';
import type { Clock } from '../../../ports/clock.ts';
import type {
  EventDeduplicator,
  RequestChange,
  RequestQuery,
  RequestStore,
} from '../../../ports/request-store.ts';
import {
  checkAuditEvent,
  checkNewRequest,
  checkNextRequest,
  clampLimit,
  corrupt,
  REQUEST_LIMIT,
  readRequest,
  unavailable,
} from '../shared.ts';
import type { SqliteAuditLog } from './audit-log.ts';
import type { SqliteConnection } from './connection.ts';
import { GroupCommit } from './group-commit.ts';

const INSERT = `INSERT INTO requests (id, tenant_id, state, version, requester_slack_id, target_slack_id,
    grant_ends_at, pending_expires_at, confirmation_expires_at, created_at, body)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPDATE = `UPDATE requests SET tenant_id = ?, state = ?, version = ?, requester_slack_id = ?,
    target_slack_id = ?, grant_ends_at = ?, pending_expires_at = ?, confirmation_expires_at = ?,
    created_at = ?, body = ?
  WHERE id = ? AND version = ?`;

type SqlValue = string | number | null;

/** Index columns kept beside the JSON body so queries never parse every row. */
function columns(r: RoleRequest): SqlValue[] {
  return [
    r.tenantId,
    r.state,
    r.version,
    r.requester.slackUserId ?? null,
    r.target.slackUserId ?? null,
    r.grantEndsAt ?? null,
    r.pendingExpiresAt ?? null,
    r.confirmationExpiresAt ?? null,
    r.createdAt,
    JSON.stringify(r),
  ];
}

function isConstraint(err: unknown): boolean {
  // SQLITE_CONSTRAINT_PRIMARYKEY = 1555
  return (err as { errcode?: number }).errcode === 1555;
}

export class SqliteRequestStore implements RequestStore {
  readonly #conn: SqliteConnection;
  readonly #clock: Clock;
  readonly #audit: SqliteAuditLog | undefined;
  readonly #group: GroupCommit;

  /** `audit`: the chain `commit` appends to, in the same transaction. */
  constructor(conn: SqliteConnection, clock: Clock, audit?: SqliteAuditLog) {
    this.#conn = conn;
    this.#clock = clock;
    this.#audit = audit;
    this.#group = new GroupCommit(conn);
  }

  /**
   * One transaction over the request row and its audit rows: a failure of any statement, or of the
   * commit itself, rolls back both. Concurrent commits share one durable COMMIT (GroupCommit), each
   * under its own savepoint.
   */
  async commit(change: RequestChange): Promise<boolean> {
    const creating = change.expectedVersion === undefined;
    const r = creating
      ? checkNewRequest(change.request)
      : checkNextRequest(change.request, change.expectedVersion!);
    const events = change.audit.map(checkAuditEvent);
    if (events.length > 0 && !this.#audit) throw new RolecallError('INTERNAL', 'this store has no audit log');
    let out: { won: boolean; records: AuditRecord[] };
    try {
      out = await this.#group.run(() => {
        if (creating) this.#conn.statement(INSERT).run(r.id, ...columns(r));
        else if (this.#conn.statement(UPDATE).run(...columns(r), r.id, change.expectedVersion!).changes !== 1)
          return { won: false, records: [] };
        return { won: true, records: this.#audit ? this.#audit.appendInTransaction(events) : [] };
      });
    } catch (err) {
      if (creating && isConstraint(err))
        throw new RolecallError('STORE.DUPLICATE', `request ${r.id} already exists`, { cause: err });
      throw unavailable('requests.commit', err);
    }
    if (out.won) this.#audit?.appended(out.records);
    return out.won;
  }

  async create(request: RoleRequest): Promise<void> {
    const r = checkNewRequest(request);
    try {
      this.#conn.statement(INSERT).run(r.id, ...columns(r));
    } catch (err) {
      if (isConstraint(err)) {
        throw new RolecallError('STORE.DUPLICATE', `request ${r.id} already exists`, { cause: err });
      }
      throw unavailable('requests.create', err);
    }
  }

  async get(id: string): Promise<RoleRequest | undefined> {
    const row = this.#read('requests.get', () =>
      this.#conn.statement('SELECT id, body FROM requests WHERE id = ?').get(id),
    ) as { id: string; body: string } | undefined;
    return row ? parseRow(row) : undefined;
  }

  async save(next: RoleRequest, expectedVersion: number): Promise<boolean> {
    const r = checkNextRequest(next, expectedVersion);
    try {
      const result = this.#conn.statement(UPDATE).run(...columns(r), r.id, expectedVersion);
      return result.changes === 1;
    } catch (err) {
      throw unavailable('requests.save', err);
    }
  }

  async find(query: RequestQuery): Promise<RoleRequest[]> {
    const { where, params } = filter(query);
    if (query.before !== undefined) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(query.before.createdAt, query.before.createdAt, query.before.id);
    }
    const limit = clampLimit(query.limit, REQUEST_LIMIT.default, REQUEST_LIMIT.max);
    const sql = `SELECT id, body FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
    const rows = this.#read('requests.find', () => this.#conn.statement(sql).all(...params)) as {
      id: string;
      body: string;
    }[];
    return rows.map(parseRow);
  }

  async count(query: Omit<RequestQuery, 'limit' | 'before'>): Promise<number> {
    const { where, params } = filter(query);
    const sql = `SELECT COUNT(*) AS n FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    const row = this.#read('requests.count', () => this.#conn.statement(sql).get(...params)) as { n: number };
    return Number(row.n);
  }

  async ping(): Promise<boolean> {
    try {
      this.#conn
        .statement('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
        .run('ping', this.#clock.now().toISOString());
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#conn.close();
  }

  #read<T>(op: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw unavailable(op, err);
    }
  }
}

/** The WHERE clause shared by find and count. */
function filter(query: Omit<RequestQuery, 'limit' | 'before'>): { where: string[]; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.tenantId !== undefined) {
    where.push('tenant_id = ?');
    params.push(query.tenantId);
  }
  if (query.states !== undefined) {
    // An empty list matches nothing, as it would in MongoDB's $in.
    where.push(query.states.length ? `state IN (${query.states.map(() => '?').join(', ')})` : '0');
    params.push(...query.states);
  }
  if (query.requesterSlackUserId !== undefined) {
    where.push('requester_slack_id = ?');
    params.push(query.requesterSlackUserId);
  }
  if (query.targetSlackUserId !== undefined) {
    where.push('target_slack_id = ?');
    params.push(query.targetSlackUserId);
  }
  if (query.targetScimId !== undefined) {
    // Always narrowed by tenant/state in practice, so the JSON body is read for a few rows only.
    where.push("json_extract(body, '$.target.scimId') = ?");
    params.push(query.targetScimId);
  }
  if (query.role !== undefined) {
    where.push("json_extract(body, '$.role') = ?");
    params.push(query.role);
  }
  if (query.grantEndsBefore !== undefined) {
    where.push('grant_ends_at <= ?');
    params.push(query.grantEndsBefore);
  }
  if (query.expiresBefore !== undefined) {
    where.push('(pending_expires_at <= ? OR confirmation_expires_at <= ?)');
    params.push(query.expiresBefore, query.expiresBefore);
  }
  return { where, params };
}

function parseRow(row: { id: string; body: string }): RoleRequest {
  let data: unknown;
  try {
    data = JSON.parse(row.body);
  } catch (err) {
    throw corrupt('request', row.id, err);
  }
  return readRequest(data, row.id);
}

export class SqliteEventDeduplicator implements EventDeduplicator {
  readonly #conn: SqliteConnection;

  constructor(conn: SqliteConnection) {
    this.#conn = conn;
  }

  async firstSeen(key: string, at: Date): Promise<boolean> {
    try {
      const result = this.#conn
        .statement('INSERT INTO events (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING')
        .run(key, at.toISOString());
      return result.changes === 1;
    } catch (err) {
      throw unavailable('events.firstSeen', err);
    }
  }

  async prune(olderThan: Date): Promise<number> {
    try {
      const result = this.#conn.statement('DELETE FROM events WHERE at < ?').run(olderThan.toISOString());
      return Number(result.changes);
    } catch (err) {
      throw unavailable('events.prune', err);
    }
  }
}
