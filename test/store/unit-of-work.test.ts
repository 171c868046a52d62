import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collection } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { openMongoStores } from '../../src/adapters/store/mongo/index.ts';
import { openStores } from '../../src/adapters/store/open.ts';
import type { StoreSet } from '../../src/adapters/store/shared.ts';
import { openSqliteStores } from '../../src/adapters/store/sqlite/index.ts';
import { auditOf } from '../../src/core/audit.ts';
import type { RoleRequest } from '../../src/core/request-record.ts';
import { startTestMongo, type TestMongo } from '../support/mongo-server.ts';
import { makeRequest, nextVersion } from './fixtures.ts';
import { type SqliteSpy, spySqlite, writes } from './sqlite-spy.ts';

/**
 * Issue 15 item 1 at the store: `commit` saves a request and its audit records together or not at
 * all, failing each write in turn. SQLite: one transaction. MongoDB without transactions (jongodb):
 * the outbox in the request document, moved into the chain exactly once.
 */
const logger = createLogger({ level: 'silent' });
const clock = { now: () => new Date('2025-06-01T00:00:00.000Z') };

const change = (r: RoleRequest, state: RoleRequest['state']) => {
  const next = nextVersion(r, { state, updatedAt: '2025-06-01T00:00:01.000Z' });
  return { next, records: [auditOf(next, 'reconciled', { note: 'first' }), auditOf(next, 'applied')] };
};

/** A request in `applying`, stored, and its change to `applied` with two records. */
const applying = async (s: StoreSet) => {
  const r = makeRequest({ state: 'applying' });
  await s.requests.create(r);
  return { r, ...change(r, 'applied') };
};

// The SQLite tests' stores, in a fresh directory, and their write spy: undone after each test.
let dir: string | undefined;
let stores: StoreSet;
let spy: SqliteSpy | undefined;
afterEach(async () => {
  spy?.restore();
  spy = undefined;
  await stores?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const openSqlite = (prefix: string) => {
  dir = mkdtempSync(join(tmpdir(), prefix));
  stores = openSqliteStores({ dataDir: dir, logger, clock });
};

describe('sqlite: commit is one transaction over the request and its records', () => {
  const open = () => openSqlite('rolecall-uow-');

  const points = [
    ['the request row', writes.requestTo('applied'), writes.requestTo('applied')],
    ['the first record', writes.requestTo('applied'), writes.auditOf('reconciled')],
    ['the second record', writes.requestTo('applied'), writes.auditOf('applied')],
    ['an audit user row', writes.auditOf('applied'), writes.auditUser],
    ['the commit', writes.requestTo('applied'), writes.commit],
  ] as const;
  for (const [what, trigger, target] of points)
    it(`failing ${what} saves neither, and a retry then saves both`, async () => {
      open();
      const { r, next, records } = await applying(stores);
      spy = spySqlite();
      spy.failAfter(trigger, target);
      await expect(
        stores.requests.commit({ request: next, expectedVersion: 0, audit: records }),
      ).rejects.toMatchObject({ code: 'STORE.UNAVAILABLE' });
      expect(spy.injected).toHaveLength(1);
      expect((await stores.requests.get(r.id))?.state).toBe('applying');
      expect(await stores.audit.query({})).toEqual([]);
      expect(await stores.requests.commit({ request: next, expectedVersion: 0, audit: records })).toBe(true);
      expect((await stores.audit.query({})).map((a) => a.kind)).toEqual(['reconciled', 'applied']);
      expect((await stores.audit.verify()).ok).toBe(true);
    });

  it('a lost compare-and-set writes no record; a create writes the request and its record in one commit', async () => {
    open();
    const r = makeRequest();
    spy = spySqlite();
    await stores.requests.commit({ request: r, audit: [auditOf(r, 'requested')] });
    expect(spy.commits).toBe(1);
    const { next, records } = change(r, 'cancelled');
    expect(await stores.requests.commit({ request: next, expectedVersion: 0, audit: records })).toBe(true);
    expect(await stores.requests.commit({ request: next, expectedVersion: 0, audit: records })).toBe(false);
    expect(spy.commits).toBe(3);
    expect((await stores.audit.query({})).map((a) => a.kind)).toEqual(['requested', 'reconciled', 'applied']);
  });
});

describe('sqlite: concurrent commits share one durable COMMIT (group commit)', () => {
  const batch = async (n: number) => {
    openSqlite('rolecall-uow-group-');
    const items = [];
    for (let i = 0; i < n; i++) items.push(await applying(stores));
    return items;
  };
  const commitAll = (items: Awaited<ReturnType<typeof batch>>) =>
    Promise.allSettled(
      items.map((i) => stores.requests.commit({ request: i.next, expectedVersion: 0, audit: i.records })),
    );

  it('ten concurrent changes: one commit, every change and record saved, the chain intact', async () => {
    const items = await batch(10);
    spy = spySqlite();
    const settled = await commitAll(items);
    expect(settled.map((x) => x.status === 'fulfilled' && x.value)).toEqual(Array(10).fill(true));
    expect(spy.commits).toBe(1);
    expect(await stores.audit.query({})).toHaveLength(20);
    expect((await stores.audit.verify()).ok).toBe(true);
  });

  it('a unit that fails is rolled back alone; the others are saved with their records', async () => {
    const items = await batch(3);
    spy = spySqlite();
    const victim = items[1]!.r.id;
    spy.failAfter(
      (sql, args) => /^\s*UPDATE requests\b/i.test(sql) && args.includes(victim),
      writes.auditOf('applied'),
    );
    const settled = await commitAll(items);
    expect(settled.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await stores.requests.get(victim))?.state).toBe('applying');
    const trail = await stores.audit.query({});
    expect(trail.some((a) => a.requestId === victim)).toBe(false);
    expect(trail).toHaveLength(4);
    expect((await stores.audit.verify()).ok).toBe(true);
  });

  it('a failed COMMIT saves none of the batch and tells every caller', async () => {
    const items = await batch(3);
    spy = spySqlite();
    spy.failAfter(writes.requestTo('applied'), writes.commit);
    const settled = await commitAll(items);
    expect(settled.map((x) => x.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const i of items) expect((await stores.requests.get(i.r.id))?.state).toBe('applying');
    expect(await stores.audit.query({})).toEqual([]);
  });
});

describe('mongodb without transactions: the outbox', () => {
  let mongo: TestMongo;
  let mongoStores: StoreSet | undefined;
  const originals = {
    insertOne: Collection.prototype.insertOne,
    replaceOne: Collection.prototype.replaceOne,
    updateOne: Collection.prototype.updateOne,
  };
  /** Fails the next `method` call on `collection` (once). */
  const failNext = (method: keyof typeof originals, collection: string) => {
    const real = originals[method] as (...a: unknown[]) => unknown;
    (Collection.prototype as unknown as Record<string, unknown>)[method] = function (
      this: Collection,
      ...args: unknown[]
    ) {
      if (this.collectionName === collection) {
        (Collection.prototype as unknown as Record<string, unknown>)[method] = real;
        return Promise.reject(new Error(`injected fault: ${collection}.${method}`));
      }
      return real.apply(this, args);
    };
  };
  beforeAll(async () => {
    mongo = await startTestMongo();
  });
  afterAll(async () => {
    await mongo?.stop();
  });
  afterEach(async () => {
    Object.assign(Collection.prototype, originals);
    await mongoStores?.close();
    mongoStores = undefined;
  });
  const open = async () => {
    mongoStores = await openMongoStores({
      uri: mongo.uri,
      dbName: mongo.freshDbName('rolecall_uow'),
      logger,
      clock,
    });
    return mongoStores;
  };
  const kinds = async (s: StoreSet) => (await s.audit.query({})).map((a) => a.kind);

  it('failing the request write saves neither', async () => {
    const s = await open();
    const { r, next, records } = await applying(s);
    failNext('replaceOne', 'requests');
    await expect(
      s.requests.commit({ request: next, expectedVersion: 0, audit: records }),
    ).rejects.toMatchObject({
      code: 'STORE.UNAVAILABLE',
    });
    expect((await s.requests.get(r.id))?.state).toBe('applying');
    expect(await kinds(s)).toEqual([]);
  });

  it('failing the move into the chain keeps the records with the state; they are moved once, in order', async () => {
    const s = await open();
    const { r, next, records } = await applying(s);
    failNext('insertOne', 'audit');
    // Saved: the state and its records are in the document; the chain gets them later.
    expect(await s.requests.commit({ request: next, expectedVersion: 0, audit: records })).toBe(true);
    expect((await s.requests.get(r.id))?.state).toBe('applied');
    expect(await kinds(s)).toEqual([]);
    expect(await s.requests.drainOutbox!()).toBe(1);
    expect(await s.requests.drainOutbox!()).toBe(0);
    expect(await kinds(s)).toEqual(['reconciled', 'applied']);
    expect((await s.audit.verify()).ok).toBe(true);
  });

  it('a crash after the move but before the outbox is cleared never appends twice', async () => {
    const s = await open();
    const { next, records } = await applying(s);
    failNext('updateOne', 'requests');
    expect(await s.requests.commit({ request: next, expectedVersion: 0, audit: records })).toBe(true);
    expect(await kinds(s)).toEqual(['reconciled', 'applied']);
    // The next change of the request moves the pending outbox first (finding the records there).
    const later = nextVersion(next, { state: 'revoking', updatedAt: '2025-06-01T00:00:02.000Z' });
    expect(
      await s.requests.commit({ request: later, expectedVersion: 1, audit: [auditOf(later, 'revoking')] }),
    ).toBe(true);
    expect(await kinds(s)).toEqual(['reconciled', 'applied', 'revoking']);
    expect(await s.requests.drainOutbox!()).toBe(0);
    expect((await s.audit.verify()).ok).toBe(true);
  });

  it('a lost compare-and-set writes no record', async () => {
    const s = await open();
    const { next, records } = await applying(s);
    expect(await s.requests.commit({ request: next, expectedVersion: 0, audit: records })).toBe(true);
    expect(await s.requests.commit({ request: next, expectedVersion: 0, audit: records })).toBe(false);
    expect(await kinds(s)).toEqual(['reconciled', 'applied']);
  });
});

describe('checkpoints', () => {
  it('a commit through openStores anchors the chain head it wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rolecall-uow-cp-'));
    const stores = await openStores({ env: { ROLECALL_DATA_DIR: dir }, logger, clock });
    try {
      const r = makeRequest();
      await stores.requests.commit({ request: r, audit: [auditOf(r, 'requested'), auditOf(r, 'denied')] });
      const lines = readFileSync(stores.checkpointFile!, 'utf8').trim().split('\n');
      const head = (await stores.audit.query({ order: 'desc', limit: 1 }))[0]!;
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ seq: 2, hash: head.hash });
    } finally {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
