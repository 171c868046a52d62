import type { AuditEvent, AuditRecord } from '../../../core/audit.ts';
import type { AuditQuery, AuditVerification, AuditVerifyOptions } from '../../../ports/audit-log.ts';
import { ChainVerifier, GENESIS_HASH, sealRecord } from '../audit-hash.ts';
import { type AuditKeyring, NO_AUDIT_KEYS } from '../audit-keys.ts';
import { auditUserKeys, sameKeys, userQueryKeys } from '../audit-users.ts';
import {
  type AppendListener,
  AUDIT_LIMIT,
  checkAuditEvent,
  clampLimit,
  corrupt,
  type ObservableAuditLog,
  readAuditRecord,
  unavailable,
} from '../shared.ts';
import type { SqliteConnection } from './connection.ts';

interface AuditRow {
  seq: number;
  at: string;
  tenant_id: string;
  kind: string;
  request_id: string | null;
  prev_hash: string;
  hash: string;
  body: string;
}

/**
 * The audit table is only ever INSERTed into (triggers in the schema reject UPDATE and DELETE).
 * Appends take the write lock first (BEGIN IMMEDIATE), so the tail they read cannot move under them
 * even when several processes share the file.
 */
export class SqliteAuditLog implements ObservableAuditLog {
  readonly #conn: SqliteConnection;
  readonly #keys: AuditKeyring;
  readonly #listeners: AppendListener[] = [];

  constructor(conn: SqliteConnection, keys: AuditKeyring = NO_AUDIT_KEYS) {
    this.#conn = conn;
    this.#keys = keys;
  }

  async append(event: AuditEvent): Promise<AuditRecord> {
    const checked = checkAuditEvent(event);
    let record: AuditRecord;
    try {
      record = this.#conn.writeTransaction(() => this.appendInTransaction([checked])[0]!);
    } catch (err) {
      throw unavailable('audit.append', err);
    }
    this.#notify([record]);
    return record;
  }

  /** Called with the records of every durable append (checkpoints), after its commit. */
  onAppended(listener: AppendListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Appends validated events inside the caller's write transaction (which holds the write lock, so
   * the tail cannot move); the caller commits, then calls `appended` with the result.
   */
  appendInTransaction(events: readonly AuditEvent[]): AuditRecord[] {
    const out: AuditRecord[] = [];
    const tail = this.#conn.statement('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: string }
      | undefined;
    let seq = tail?.seq ?? 0;
    let prev = tail?.hash ?? GENESIS_HASH;
    for (const event of events) {
      const record = sealRecord(event, ++seq, prev, this.#keys.signing);
      prev = record.hash;
      const { seq: _s, prevHash: _p, hash: _h, ...body } = record;
      this.#conn
        .statement(
          `INSERT INTO audit (seq, at, tenant_id, kind, request_id, prev_hash, hash, body)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          record.seq,
          record.at,
          record.tenantId,
          record.kind,
          record.requestId ?? null,
          record.prevHash,
          record.hash,
          JSON.stringify(body),
        );
      const addUser = this.#conn.statement('INSERT INTO audit_users (user, seq) VALUES (?, ?)');
      for (const user of auditUserKeys(record)) addUser.run(user, record.seq);
      out.push(record);
    }
    return out;
  }

  /** After the commit of records appended by `appendInTransaction`. */
  appended(records: readonly AuditRecord[]): void {
    this.#notify(records);
  }

  #notify(records: readonly AuditRecord[]): void {
    if (records.length === 0) return;
    for (const listener of this.#listeners) listener(records);
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.tenantId !== undefined) {
      where.push('tenant_id = ?');
      params.push(query.tenantId);
    }
    if (query.user !== undefined) {
      const keys = userQueryKeys(query.user);
      where.push(`seq IN (SELECT seq FROM audit_users WHERE user IN (${keys.map(() => '?').join(', ')}))`);
      params.push(...keys);
    }
    if (query.kinds !== undefined) {
      where.push(query.kinds.length ? `kind IN (${query.kinds.map(() => '?').join(', ')})` : '0');
      params.push(...query.kinds);
    }
    if (query.since !== undefined) {
      where.push('at >= ?');
      params.push(query.since);
    }
    if (query.until !== undefined) {
      where.push('at < ?');
      params.push(query.until);
    }
    if (query.requestId !== undefined) {
      where.push('request_id = ?');
      params.push(query.requestId);
    }
    const limit = clampLimit(query.limit, AUDIT_LIMIT.default);
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq ${query.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ${limit}`;
    let rows: AuditRow[];
    try {
      rows = this.#conn.statement(sql).all(...params) as unknown as AuditRow[];
    } catch (err) {
      throw unavailable('audit.query', err);
    }
    return rows.map((row) => readAuditRecord(rowData(row)));
  }

  async verify(options: AuditVerifyOptions = {}): Promise<AuditVerification> {
    const verifier = new ChainVerifier(this.#keys, options.checkpoints);
    try {
      const usersOf = this.#conn.statement('SELECT user FROM audit_users WHERE seq = ?');
      for (const raw of this.#conn.statement('SELECT * FROM audit ORDER BY seq ASC').iterate()) {
        const row = raw as unknown as AuditRow;
        let data: Record<string, unknown>;
        try {
          data = rowData(row);
        } catch {
          verifier.add({ seq: row.seq }, false);
          continue;
        }
        const stored = (usersOf.all(row.seq) as unknown as { user: string }[]).map((u) => u.user);
        verifier.add(data, columnsMatch(row, data) && sameKeys(stored, derivedUsers(data)));
      }
    } catch (err) {
      throw unavailable('audit.verify', err);
    }
    return verifier.result();
  }
}

function rowData(row: AuditRow): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(row.body);
  } catch (err) {
    throw corrupt('audit record', row.seq, err);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw corrupt('audit record', row.seq);
  return { ...(body as Record<string, unknown>), seq: row.seq, prevHash: row.prev_hash, hash: row.hash };
}

/** The index columns are copies of body fields; a mismatch would hide a record from queries. */
function columnsMatch(row: AuditRow, data: Record<string, unknown>): boolean {
  return (
    row.at === data.at &&
    row.tenant_id === data.tenantId &&
    row.kind === data.kind &&
    row.request_id === (data.requestId ?? null)
  );
}

function derivedUsers(data: Record<string, unknown>): string[] {
  return auditUserKeys(data as unknown as AuditEvent);
}
