import type { Filter } from 'mongodb';
import type { AuditEvent } from '../../../core/audit.ts';
import { RolecallError } from '../../../core/errors.ts';
import type { RoleRequest } from '../../../core/request-record.ts';
import type {
  EventDeduplicator,
  RequestChange,
  RequestQuery,
  RequestStore,
} from '../../../ports/request-store.ts';
import { canonicalJson } from '../audit-hash.ts';
import {
  checkAuditEvent,
  checkNewRequest,
  checkNextRequest,
  clampLimit,
  REQUEST_LIMIT,
  readRequest,
} from '../shared.ts';
import type { MongoAuditLog } from './audit-log.ts';
import { isDuplicateKey, type MongoConnection, type RequestDoc } from './connection.ts';

/** The request's own fields at the top level (queryable), keyed by its id. */
function toDoc(r: RoleRequest): RequestDoc {
  const { id, ...rest } = JSON.parse(canonicalJson(r)) as RoleRequest;
  return { _id: id, ...rest };
}

function fromDoc(doc: RequestDoc): RoleRequest {
  const { _id, outbox: _pending, ...rest } = doc;
  return readRequest({ ...rest, id: _id }, String(_id));
}

/** No pending outbox: a compare-and-set may only replace a request whose records reached the chain. */
const NO_OUTBOX = { outbox: { $exists: false } } as const;

/**
 * Without multi-document transactions (a standalone server, jongodb), a state change and its audit
 * records are one atomic document write: the records ride in the request's `outbox` field, written
 * by the same compare-and-set, and are then moved into the chain exactly once (`MongoAuditLog.
 * appendOnce`, keyed by request, version and index) and the outbox removed. While an outbox is
 * pending the request cannot move (the compare-and-set requires none), so records keep their order.
 */
export class MongoRequestStore implements RequestStore {
  readonly #conn: MongoConnection;
  readonly #audit: MongoAuditLog | undefined;

  constructor(conn: MongoConnection, audit?: MongoAuditLog) {
    this.#conn = conn;
    this.#audit = audit;
  }

  async commit(change: RequestChange): Promise<boolean> {
    const creating = change.expectedVersion === undefined;
    const r = creating
      ? checkNewRequest(change.request)
      : checkNextRequest(change.request, change.expectedVersion!);
    const events = change.audit.map(checkAuditEvent);
    if (events.length > 0 && !this.#audit) throw new RolecallError('INTERNAL', 'this store has no audit log');
    const { _id, ...fields } = toDoc(r);
    const doc = events.length
      ? { ...fields, outbox: JSON.parse(canonicalJson(events)) as unknown[] }
      : fields;
    if (creating) await this.#insert({ _id, ...doc });
    else {
      for (let attempt = 0; ; attempt++) {
        const result = await this.#conn.run('requests.commit', () =>
          this.#conn.requests.replaceOne({ _id, version: change.expectedVersion!, ...NO_OUTBOX }, doc),
        );
        if (result.matchedCount === 1) break;
        // Lost the race, or the previous change's records still wait: move them, then try once more.
        if (attempt > 0 || !(await this.#drain(_id, change.expectedVersion))) return false;
      }
    }
    if (events.length) await this.#drainAfterCommit(_id);
    return true;
  }

  /**
   * The state and its records are saved (in the document) whatever happens here; a failure to move
   * them is logged and retried by the next commit of this request or by `drainOutbox`.
   */
  async #drainAfterCommit(id: string): Promise<void> {
    try {
      await this.#drain(id);
    } catch (err) {
      this.#conn.logger.warn({ err, requestId: id }, 'audit records wait in the request outbox; will retry');
    }
  }

  /** Moves the pending outbox of one request into the chain; false if there was none (at `version`). */
  async #drain(id: string, version?: number): Promise<boolean> {
    const doc = await this.#conn.run('requests.drain', () => this.#conn.requests.findOne({ _id: id }));
    if (!doc || !Array.isArray(doc.outbox) || (version !== undefined && doc.version !== version))
      return false;
    for (const [i, event] of doc.outbox.entries())
      await this.#audit!.appendOnce(event as AuditEvent, `${id}@${doc.version}#${i}`);
    await this.#conn.run('requests.drain', () =>
      this.#conn.requests.updateOne({ _id: id, version: doc.version }, { $unset: { outbox: '' } }),
    );
    return true;
  }

  async drainOutbox(): Promise<number> {
    const pending = await this.#conn.run('requests.drain', () =>
      this.#conn.requests.find({ outbox: { $exists: true } }, { projection: { _id: 1 } }).toArray(),
    );
    let moved = 0;
    for (const { _id } of pending) if (await this.#drain(_id)) moved++;
    return moved;
  }

  async create(request: RoleRequest): Promise<void> {
    await this.#insert(toDoc(checkNewRequest(request)));
  }

  async #insert(doc: RequestDoc): Promise<void> {
    try {
      await this.#conn.run('requests.create', () => this.#conn.requests.insertOne(doc));
    } catch (err) {
      if (isDuplicateKey((err as { cause?: unknown }).cause)) {
        throw new RolecallError('STORE.DUPLICATE', `request ${doc._id} already exists`, { cause: err });
      }
      throw err;
    }
  }

  async get(id: string): Promise<RoleRequest | undefined> {
    const doc = await this.#conn.run('requests.get', () => this.#conn.requests.findOne({ _id: id }));
    return doc ? fromDoc(doc) : undefined;
  }

  /**
   * Compare-and-set: replace only while the stored version is still the expected one. The filter
   * and the write are one atomic document operation, so of many racing saves exactly one matches.
   */
  async save(next: RoleRequest, expectedVersion: number): Promise<boolean> {
    return this.commit({ request: next, expectedVersion, audit: [] });
  }

  async find(query: RequestQuery): Promise<RoleRequest[]> {
    const f = filterOf(query);
    const { before } = query;
    const page: Filter<RequestDoc> = before
      ? {
          $and: [
            f,
            {
              $or: [
                { createdAt: { $lt: before.createdAt } },
                { createdAt: before.createdAt, _id: { $lt: before.id } },
              ],
            },
          ],
        }
      : f;
    const limit = clampLimit(query.limit, REQUEST_LIMIT.default, REQUEST_LIMIT.max);
    const docs = await this.#conn.run('requests.find', () =>
      this.#conn.requests.find(page, { sort: { createdAt: -1, _id: -1 }, limit }).toArray(),
    );
    return docs.map(fromDoc);
  }

  async count(query: Omit<RequestQuery, 'limit' | 'before'>): Promise<number> {
    return this.#conn.run('requests.count', () => this.#conn.requests.countDocuments(filterOf(query)));
  }

  async ping(): Promise<boolean> {
    try {
      await this.#conn.run('ping', () =>
        this.#conn.meta.updateOne(
          { _id: 'ping' },
          { $set: { at: this.#conn.clock.now() } },
          { upsert: true },
        ),
      );
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#conn.close();
  }
}

/** The filter shared by find and count. */
function filterOf(query: Omit<RequestQuery, 'limit' | 'before'>): Filter<RequestDoc> {
  const filter: Filter<RequestDoc> = {};
  if (query.tenantId !== undefined) filter.tenantId = query.tenantId;
  if (query.states !== undefined) filter.state = { $in: query.states };
  if (query.requesterSlackUserId !== undefined) filter['requester.slackUserId'] = query.requesterSlackUserId;
  if (query.targetSlackUserId !== undefined) filter['target.slackUserId'] = query.targetSlackUserId;
  if (query.targetScimId !== undefined) filter['target.scimId'] = query.targetScimId;
  if (query.role !== undefined) filter.role = query.role;
  if (query.grantEndsBefore !== undefined) filter.grantEndsAt = { $lte: query.grantEndsBefore };
  if (query.expiresBefore !== undefined) {
    filter.$or = [
      { pendingExpiresAt: { $lte: query.expiresBefore } },
      { confirmationExpiresAt: { $lte: query.expiresBefore } },
    ];
  }
  return filter;
}

export class MongoEventDeduplicator implements EventDeduplicator {
  readonly #conn: MongoConnection;

  constructor(conn: MongoConnection) {
    this.#conn = conn;
  }

  /** The unique _id makes the insert the test-and-set: a second insert of a key is E11000. */
  async firstSeen(key: string, at: Date): Promise<boolean> {
    try {
      await this.#conn.run('events.firstSeen', () => this.#conn.events.insertOne({ _id: key, at }));
      return true;
    } catch (err) {
      if (isDuplicateKey((err as { cause?: unknown }).cause)) return false;
      throw err;
    }
  }

  async prune(olderThan: Date): Promise<number> {
    const result = await this.#conn.run('events.prune', () =>
      this.#conn.events.deleteMany({ at: { $lt: olderThan } }),
    );
    return result.deletedCount;
  }
}
