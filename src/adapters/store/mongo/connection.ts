import { type Db, type IndexDescription, MongoClient } from 'mongodb';
import { RolecallError } from '../../../core/errors.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { unavailable } from '../shared.ts';

/** Bump with every change to collections or indexes that older code must not write into. */
// 2: requests may carry an audit outbox (older code would drop it when saving over the request).
export const MONGO_SCHEMA_VERSION = 2;

export interface MongoOptions {
  uri: string;
  /** Database name; default: the one in the URI, else `rolecall`. */
  dbName?: string;
  logger: Logger;
  clock: Clock;
  /** How long an operation waits for a usable server before failing closed. Default 5000. */
  serverSelectionTimeoutMS?: number;
  /** Backstop expiry of delivery keys (prune is the primary mechanism). Default 7 days. */
  eventTtlSeconds?: number;
}

export interface RequestDoc {
  _id: string;
  version: number;
  [field: string]: unknown;
}
export interface EventDoc {
  _id: string;
  at: Date;
}
export interface AuditDoc {
  seq: number;
  users: string[];
  /** Set on records moved from a request's outbox: `<requestId>@<version>#<index>`. */
  outboxKey?: string;
  [field: string]: unknown;
}
export interface MetaDoc {
  _id: string;
  [field: string]: unknown;
}

/** The shared client plus a "closed" latch: the driver would silently reconnect after close(). */
export class MongoConnection {
  readonly client: MongoClient;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  #closed = false;

  constructor(client: MongoClient, db: Db, clock: Clock, logger: Logger) {
    this.client = client;
    this.db = db;
    this.clock = clock;
    this.logger = logger;
  }

  get requests() {
    return this.db.collection<RequestDoc>('requests');
  }
  get events() {
    return this.db.collection<EventDoc>('events');
  }
  get audit() {
    return this.db.collection<AuditDoc>('audit');
  }
  get meta() {
    return this.db.collection<MetaDoc>('meta');
  }

  /** Runs a driver call; any failure (network, selection timeout, server error) is STORE.UNAVAILABLE. */
  async run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw unavailable(op, new Error('store is closed'));
    try {
      return await fn();
    } catch (err) {
      throw unavailable(op, err);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.close();
  }
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 11000;
}

export function uriDatabase(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(uri);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

export async function connectMongo(opts: MongoOptions): Promise<MongoConnection> {
  // A timeout written in the URI is the operator's choice; otherwise fail closed after 5 s.
  const uriTimeout = /[?&]serverSelectionTimeoutMS=/i.test(opts.uri);
  const client = new MongoClient(opts.uri, {
    appName: 'rolecall',
    ...(opts.serverSelectionTimeoutMS !== undefined || !uriTimeout
      ? { serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 5000 }
      : {}),
    // Acknowledged by a majority and journaled: "durable when it resolves" survives a failover.
    writeConcern: { w: 'majority', j: true },
    ignoreUndefined: true,
  });
  const conn = new MongoConnection(
    client,
    client.db(opts.dbName ?? uriDatabase(opts.uri) ?? 'rolecall'),
    opts.clock,
    opts.logger,
  );
  try {
    await conn.run('connect', () => client.connect());
    await checkSchema(conn);
    await conn.run('createIndexes', () => ensureIndexes(conn, opts.eventTtlSeconds ?? 7 * 24 * 3600));
    await conn.run('meta', () =>
      conn.meta.updateOne(
        { _id: 'schema' },
        { $set: { version: MONGO_SCHEMA_VERSION, at: opts.clock.now() } },
        { upsert: true },
      ),
    );
    return conn;
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
}

async function checkSchema(conn: MongoConnection): Promise<void> {
  const meta = await conn.run('meta', () => conn.meta.findOne({ _id: 'schema' }));
  const version = typeof meta?.version === 'number' ? meta.version : 0;
  if (version > MONGO_SCHEMA_VERSION) {
    throw new RolecallError(
      'STORE.UNAVAILABLE',
      `the database schema (v${version}) is newer than this Rolecall understands (v${MONGO_SCHEMA_VERSION}); upgrade Rolecall`,
      { details: { schemaVersion: version, codeVersion: MONGO_SCHEMA_VERSION } },
    );
  }
}

const REQUEST_INDEXES: IndexDescription[] = [
  { key: { tenantId: 1, state: 1, createdAt: -1 }, name: 'tenant_state_created' },
  { key: { state: 1, createdAt: -1 }, name: 'state_created' },
  { key: { createdAt: -1 }, name: 'created' },
  { key: { 'requester.slackUserId': 1, createdAt: -1 }, name: 'requester_created' },
  { key: { 'target.slackUserId': 1, createdAt: -1 }, name: 'target_created' },
  { key: { grantEndsAt: 1 }, name: 'grant_ends', sparse: true },
  { key: { pendingExpiresAt: 1 }, name: 'pending_expires', sparse: true },
  { key: { confirmationExpiresAt: 1 }, name: 'confirmation_expires', sparse: true },
];

const AUDIT_INDEXES: IndexDescription[] = [
  // The chain's integrity across processes rests on this index: two appenders that read the same
  // tail cannot both insert seq+1.
  { key: { seq: 1 }, name: 'seq_unique', unique: true },
  { key: { tenantId: 1, seq: 1 }, name: 'tenant_seq' },
  { key: { users: 1, seq: 1 }, name: 'users_seq' },
  { key: { kind: 1, seq: 1 }, name: 'kind_seq' },
  { key: { requestId: 1, seq: 1 }, name: 'request_seq' },
  { key: { at: 1 }, name: 'at' },
  // A record moved from a request's outbox is appended once, however often the move is retried.
  { key: { outboxKey: 1 }, name: 'outbox_key', unique: true, sparse: true },
];

async function ensureIndexes(conn: MongoConnection, ttlSeconds: number): Promise<void> {
  await conn.requests.createIndexes(REQUEST_INDEXES);
  await conn.audit.createIndexes(AUDIT_INDEXES);
  try {
    await conn.events.createIndexes([{ key: { at: 1 }, name: 'at_ttl', expireAfterSeconds: ttlSeconds }]);
  } catch (err) {
    // An existing TTL index with another expiry is not worth refusing to start over: prune() is
    // what bounds the collection; the TTL is a backstop.
    const code = (err as { code?: unknown }).code;
    if (code !== 85 && code !== 86) throw err;
    conn.logger.warn({ err }, 'events TTL index exists with different options; keeping it');
  }
}
