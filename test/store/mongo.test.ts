import { createServer } from 'node:net';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import type { AuditKeyring } from '../../src/adapters/store/audit-keys.ts';
import { openMongoStores } from '../../src/adapters/store/mongo/index.ts';
import { openStores } from '../../src/adapters/store/open.ts';
import { startJongodb, startTestMongo, type TestMongo } from '../support/mongo-server.ts';
import { expectCode, type StoreHarness, storeContract } from './contract.ts';
import { makeEvent, makeRequest } from './fixtures.ts';

const logger = createLogger({ level: 'silent' });
const clock = { now: () => new Date('2025-06-01T00:00:00.000Z') };
let mongo: TestMongo;
let rawClient: MongoClient;

beforeAll(async () => {
  mongo = await startTestMongo();
  rawClient = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 5000 });
  await rawClient.connect();
});

afterAll(async () => {
  await rawClient?.close();
  await mongo?.stop();
});

const open = (dbName: string, extra: { serverSelectionTimeoutMS?: number; auditKeys?: AuditKeyring } = {}) =>
  openMongoStores({ uri: mongo.uri, dbName, logger, clock, ...extra });

/** jongodb cannot drop databases; a real server can, so clean up there. */
async function dropQuietly(dbName: string): Promise<void> {
  await rawClient
    .db(dbName)
    .dropDatabase()
    .catch(() => undefined);
}

storeContract('mongodb', async (): Promise<StoreHarness> => {
  const dbName = mongo.freshDbName();
  const stores = await open(dbName);
  const db = rawClient.db(dbName);
  return {
    stores,
    reconnect: (o) => open(dbName, o),
    corruptRequest: async (id) => {
      await db.collection<{ _id: string }>('requests').updateOne({ _id: id }, { $set: { state: 'bogus' } });
    },
    tamperAudit: async (seq) => {
      await db.collection('audit').updateOne({ seq }, { $set: { role: 'owner' } });
    },
    deleteAudit: async (seq) => {
      await db.collection('audit').deleteOne({ seq });
    },
    dispose: async () => {
      await stores.close();
      await dropQuietly(dbName);
    },
  };
});

describe('mongodb specifics', () => {
  it('creates its indexes: unique seq, TTL on event time, request lookups', async () => {
    const dbName = mongo.freshDbName();
    const stores = await open(dbName);
    const db = rawClient.db(dbName);
    const audit = await db.collection('audit').listIndexes().toArray();
    expect(audit.find((i) => i.name === 'seq_unique')).toMatchObject({ key: { seq: 1 }, unique: true });
    const events = await db.collection('events').listIndexes().toArray();
    expect(events.find((i) => i.name === 'at_ttl')).toMatchObject({
      key: { at: 1 },
      expireAfterSeconds: 604800,
    });
    const requests = (await db.collection('requests').listIndexes().toArray()).map((i) => i.name);
    expect(requests).toEqual(
      expect.arrayContaining(['tenant_state_created', 'grant_ends', 'pending_expires']),
    );
    // Opening again (another process starting) is harmless.
    const again = await open(dbName);
    await again.close();
    await stores.close();
    await dropQuietly(dbName);
  });

  it('rejects a second audit record with a seq that exists (the index the chain relies on)', async () => {
    const dbName = mongo.freshDbName();
    const stores = await open(dbName);
    const first = await stores.audit.append(makeEvent());
    const err = await rawClient
      .db(dbName)
      .collection('audit')
      .insertOne({ ...first, note: 'forked' })
      .catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(11000);
    await stores.close();
    await dropQuietly(dbName);
  });

  it('refuses to start on a schema newer than the code', async () => {
    const dbName = mongo.freshDbName();
    await rawClient
      .db(dbName)
      .collection<{ _id: string; version: number }>('meta')
      .insertOne({ _id: 'schema', version: 99 });
    await expectCode(open(dbName), 'STORE.UNAVAILABLE');
    await dropQuietly(dbName);
  });

  it('is chosen by openStores when MONGODB_URI is set', async () => {
    const stores = await openStores({
      env: { MONGODB_URI: mongo.uri, ROLECALL_DATA_DIR: '/nonexistent' },
      logger,
      clock,
    });
    expect(stores.kind).toBe('mongodb');
    expect(await stores.requests.ping()).toBe(true);
    await stores.close();
  });

  it('fails to open with STORE.UNAVAILABLE when nothing listens', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await expectCode(
      openMongoStores({ uri: `mongodb://127.0.0.1:${port}/x`, logger, clock, serverSelectionTimeoutMS: 300 }),
      'STORE.UNAVAILABLE',
    );
  });

  it('fails closed with STORE.UNAVAILABLE when the server stops mid-session', async () => {
    // Its own throwaway jongodb, so stopping it disturbs nothing else (even with MONGODB_URI set).
    const server = await startJongodb();
    try {
      const stores = await openMongoStores({
        uri: server.uri,
        dbName: 'stopme',
        logger,
        clock,
        serverSelectionTimeoutMS: 300,
      });
      const r = makeRequest();
      await stores.requests.create(r);
      await stores.audit.append(makeEvent());
      await server.stop();
      await expectCode(stores.requests.get(r.id), 'STORE.UNAVAILABLE');
      await expectCode(stores.requests.create(makeRequest()), 'STORE.UNAVAILABLE');
      await expectCode(stores.events.firstSeen('k', new Date()), 'STORE.UNAVAILABLE');
      await expectCode(stores.audit.append(makeEvent()), 'STORE.UNAVAILABLE');
      expect(await stores.requests.ping()).toBe(false);
      await stores.close();
    } finally {
      await server.stop();
    }
  });
});
