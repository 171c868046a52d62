import { setTimeout as delay } from 'node:timers/promises';
import type { Filter } from 'mongodb';
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
  type ObservableAuditLog,
  readAuditRecord,
  unavailable,
} from '../shared.ts';
import { type AuditDoc, isDuplicateKey, type MongoConnection } from './connection.ts';

/** Enough for dozens of processes appending at once; beyond it, fail closed rather than spin. */
const MAX_APPEND_ATTEMPTS = 50;

/**
 * Appends without multi-document transactions: read the tail, insert seq+1 linked to it, and let
 * the unique index on `seq` reject the loser of any race, which then retries on the new tail.
 * Appends from this process are queued so they do not race each other, only other processes.
 */
export class MongoAuditLog implements ObservableAuditLog {
  readonly #conn: MongoConnection;
  readonly #keys: AuditKeyring;
  readonly #listeners: AppendListener[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(conn: MongoConnection, keys: AuditKeyring = NO_AUDIT_KEYS) {
    this.#conn = conn;
    this.#keys = keys;
  }

  append(event: AuditEvent): Promise<AuditRecord> {
    let checked: AuditEvent;
    try {
      checked = checkAuditEvent(event);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#enqueue(checked);
  }

  onAppended(listener: AppendListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Appends a record moved from a request's outbox, once per `key` however often it is moved (a
   * crash between the append and the outbox's removal, two processes moving it at once): the
   * unique `outboxKey` index lets one insert win; the others find it and return it.
   */
  appendOnce(event: AuditEvent, key: string): Promise<AuditRecord> {
    return this.#enqueue(checkAuditEvent(event), key);
  }

  #enqueue(event: AuditEvent, key?: string): Promise<AuditRecord> {
    const run = this.#queue.then(() => this.#appendChecked(event, key));
    this.#queue = run.catch(() => undefined);
    return run.then((record) => {
      for (const listener of this.#listeners) listener([record]);
      return record;
    });
  }

  async #existing(key: string): Promise<AuditRecord | undefined> {
    const doc = await this.#conn.run('audit.append', () => this.#conn.audit.findOne({ outboxKey: key }));
    return doc ? readAuditRecord(recordData(doc)) : undefined;
  }

  async #appendChecked(event: AuditEvent, key?: string): Promise<AuditRecord> {
    if (key !== undefined) {
      const found = await this.#existing(key);
      if (found) return found;
    }
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const tail = await this.#conn.run('audit.append', () =>
        this.#conn.audit.findOne({}, { sort: { seq: -1 } }),
      );
      const record = sealRecord(
        event,
        (tail?.seq ?? 0) + 1,
        typeof tail?.hash === 'string' ? tail.hash : GENESIS_HASH,
        this.#keys.signing,
      );
      try {
        await this.#conn.run('audit.append', () =>
          this.#conn.audit.insertOne({
            ...record,
            users: auditUserKeys(record),
            ...(key !== undefined ? { outboxKey: key } : {}),
          }),
        );
        return record;
      } catch (err) {
        if (!isDuplicateKey((err as { cause?: unknown }).cause)) throw err;
        if (key !== undefined) {
          const found = await this.#existing(key);
          if (found) return found;
        }
        this.#conn.logger.debug({ seq: record.seq, attempt }, 'audit append lost a race; retrying');
        // Jitter so the same losers do not collide again in lockstep.
        await delay(Math.floor(Math.random() * Math.min(50, 2 ** attempt)));
      }
    }
    throw unavailable('audit.append', new Error(`still contended after ${MAX_APPEND_ATTEMPTS} attempts`));
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const filter: Filter<AuditDoc> = {};
    if (query.tenantId !== undefined) filter.tenantId = query.tenantId;
    if (query.user !== undefined) filter.users = { $in: userQueryKeys(query.user) };
    if (query.kinds !== undefined) filter.kind = { $in: query.kinds };
    if (query.since !== undefined || query.until !== undefined) {
      filter.at = {
        ...(query.since !== undefined ? { $gte: query.since } : {}),
        ...(query.until !== undefined ? { $lt: query.until } : {}),
      };
    }
    if (query.requestId !== undefined) filter.requestId = query.requestId;
    const limit = clampLimit(query.limit, AUDIT_LIMIT.default);
    const docs = await this.#conn.run(
      'audit.query',
      () =>
        this.#conn.audit.find(filter, { sort: { seq: query.order === 'desc' ? -1 : 1 }, limit }).toArray(),
      // An export beyond one page (the CLI) may rightly take longer than a person's request.
      limit > AUDIT_LIMIT.default ? { deadlineMs: 0 } : {},
    );
    return docs.map((doc) => readAuditRecord(recordData(doc)));
  }

  async verify(options: AuditVerifyOptions = {}): Promise<AuditVerification> {
    const verifier = new ChainVerifier(this.#keys, options.checkpoints);
    // The whole chain: as long as it takes (each batch is still bounded by the socket timeout).
    await this.#conn.run(
      'audit.verify',
      async () => {
        for await (const doc of this.#conn.audit.find({}, { sort: { seq: 1 } })) {
          const data = recordData(doc);
          const users = Array.isArray(doc.users) ? doc.users.map(String) : [];
          verifier.add(data, sameKeys(users, auditUserKeys(data as unknown as AuditEvent)));
        }
      },
      { deadlineMs: 0 },
    );
    return verifier.result();
  }
}

/** The stored record without MongoDB's _id and our derived lookup keys. */
function recordData(doc: AuditDoc): Record<string, unknown> {
  const { _id, users: _users, outboxKey: _key, ...data } = doc as AuditDoc & { _id?: unknown };
  return data;
}
