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
  /** How long a sent command waits for its reply before failing closed. Default 5000. */
  socketTimeoutMS?: number;
  /** Deadline of one store call, whatever the driver does meanwhile. Default 10000. */
  operationTimeoutMS?: number;
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
  readonly #deadlineMs: number;
  #closed = false;

  constructor(client: MongoClient, db: Db, clock: Clock, logger: Logger, deadlineMs = OPERATION_DEADLINE_MS) {
    this.client = client;
    this.db = db;
    this.clock = clock;
    this.logger = logger;
    this.#deadlineMs = deadlineMs;
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

  /**
   * Runs a driver call; any failure (network, selection timeout, server error) is STORE.UNAVAILABLE,
   * and so is no answer by the deadline. The driver's own timeouts (mongoTimeouts) are not enough:
   * a command written to a pooled socket that had just been destroyed (the server stopped a moment
   * before) waits for the socket's 'drain' for ever, and a socket timeout cannot fire on a destroyed
   * socket. Seen as the store-down reliability test waiting past 30 s for its error card. The call
   * may still finish later; its outcome is unknown, as after any network error, so we fail closed.
   * `deadlineMs: 0` for calls that may rightly run long (index builds at start, verifying the chain).
   */
  async run<T>(op: string, fn: () => Promise<T>, o: { deadlineMs?: number } = {}): Promise<T> {
    if (this.#closed) throw unavailable(op, new Error('store is closed'));
    const ms = o.deadlineMs ?? this.#deadlineMs;
    // An unref'd timer of its own: a deadline never keeps the process alive.
    const signal = ms > 0 ? AbortSignal.timeout(ms) : undefined;
    const deadline = new Promise<never>((_, reject) =>
      signal?.addEventListener('abort', () => reject(new Error(`no answer within ${ms} ms`)), { once: true }),
    );
    try {
      return await Promise.race([fn(), deadline]);
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
  const client = new MongoClient(opts.uri, {
    appName: 'rolecall',
    ...mongoTimeouts(opts),
    // Acknowledged by a majority and journaled: "durable when it resolves" survives a failover.
    writeConcern: { w: 'majority', j: true },
    ignoreUndefined: true,
  });
  const conn = new MongoConnection(
    client,
    client.db(opts.dbName ?? uriDatabase(opts.uri) ?? 'rolecall'),
    opts.clock,
    opts.logger,
    opts.operationTimeoutMS,
  );
  try {
    await conn.run('connect', () => client.connect());
    await checkSchema(conn);
    await conn.run('createIndexes', () => ensureIndexes(conn, opts.eventTtlSeconds ?? 7 * 24 * 3600), {
      deadlineMs: 0,
    });
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

/**
 * The driver's timeouts, explicit: a person waits on every store call (a click, a message), so a
 * store that is gone or hung must fail closed within seconds, with the error card, never hang.
 * serverSelectionTimeoutMS alone does not do that: it bounds only the wait for a server. The
 * driver's defaults leave a command sent on a pooled connection without any read deadline
 * (socketTimeoutMS 0) and a new connection 30 s to connect (connectTimeoutMS). When the server was
 * stopped just before a command, we saw the command wait for its reply for ever on a socket already
 * closed underneath it (test/reliability/store-down.test.ts, about 1 run in 10 under load).
 * (This driver ignores `timeoutMS`, the client-side operation timeout, so the three are set one by
 * one.) Worst case for a read: a reply timeout, one retry that waits for a server, then the error.
 * A value written in the URI is the operator's choice; otherwise 5 s each.
 */
export function mongoTimeouts(
  opts: Pick<MongoOptions, 'uri' | 'serverSelectionTimeoutMS' | 'socketTimeoutMS'>,
): { serverSelectionTimeoutMS?: number; connectTimeoutMS?: number; socketTimeoutMS?: number } {
  const inUri = (name: string) => new RegExp(`[?&]${name}=`, 'i').test(opts.uri);
  const pick = (name: string, given: number | undefined) =>
    given !== undefined || !inUri(name) ? { [name]: given ?? DEFAULT_TIMEOUT_MS } : {};
  return {
    ...pick('serverSelectionTimeoutMS', opts.serverSelectionTimeoutMS),
    ...pick('connectTimeoutMS', undefined),
    ...pick('socketTimeoutMS', opts.socketTimeoutMS),
  };
}

export const DEFAULT_TIMEOUT_MS = 5000;
/** Above the driver's 5 s (a failover's server selection), below anything a person would call a hang. */
export const OPERATION_DEADLINE_MS = 10_000;

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
