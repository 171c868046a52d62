import type { Filter } from 'mongodb';
import { RolecallError } from '../../../core/errors.ts';
import type { RoleRequest } from '../../../core/request-record.ts';
import type { EventDeduplicator, RequestQuery, RequestStore } from '../../../ports/request-store.ts';
import { canonicalJson } from '../audit-hash.ts';
import { checkNewRequest, checkNextRequest, clampLimit, REQUEST_LIMIT, readRequest } from '../shared.ts';
import { isDuplicateKey, type MongoConnection, type RequestDoc } from './connection.ts';

/** The request's own fields at the top level (queryable), keyed by its id. */
function toDoc(r: RoleRequest): RequestDoc {
  const { id, ...rest } = JSON.parse(canonicalJson(r)) as RoleRequest;
  return { _id: id, ...rest };
}

function fromDoc(doc: RequestDoc): RoleRequest {
  const { _id, ...rest } = doc;
  return readRequest({ ...rest, id: _id }, String(_id));
}

export class MongoRequestStore implements RequestStore {
  readonly #conn: MongoConnection;

  constructor(conn: MongoConnection) {
    this.#conn = conn;
  }

  async create(request: RoleRequest): Promise<void> {
    const doc = toDoc(checkNewRequest(request));
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
    const { _id, ...fields } = toDoc(checkNextRequest(next, expectedVersion));
    const result = await this.#conn.run('requests.save', () =>
      this.#conn.requests.replaceOne({ _id, version: expectedVersion }, fields),
    );
    return result.matchedCount === 1;
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
