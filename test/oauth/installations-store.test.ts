import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { openInstallations } from '../../src/adapters/store/installations.ts';
import { openMongoStores } from '../../src/adapters/store/mongo/index.ts';
import type { StoreSet } from '../../src/adapters/store/shared.ts';
import { openSqliteStores } from '../../src/adapters/store/sqlite/index.ts';
import { startTestMongo, type TestMongo } from '../support/mongo-server.ts';
import { installationsContract, row } from './installations-contract.ts';

const logger = createLogger({ level: 'silent' });
const clock = { now: () => new Date('2026-01-01T00:00:00.000Z') };
const dirs: string[] = [];
const open: StoreSet[] = [];
let mongo: TestMongo;

beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  for (const s of open) await s.close();
  await mongo?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

installationsContract('sqlite', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rolecall-inst-'));
  dirs.push(dataDir);
  const openOne = async () => {
    const stores = openSqliteStores({ dataDir, logger, clock });
    open.push(stores);
    return openInstallations(stores, clock);
  };
  return { store: await openOne(), reopen: openOne };
});

installationsContract('mongodb', async () => {
  const dbName = mongo.freshDbName();
  const openOne = async () => {
    const stores = await openMongoStores({ uri: mongo.uri, dbName, logger, clock });
    open.push(stores);
    return openInstallations(stores, clock);
  };
  return { store: await openOne(), reopen: openOne };
});

it('sqlite: the installations migration runs once, beside the main schema, and refuses a newer one', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rolecall-inst-'));
  dirs.push(dataDir);
  const stores = openSqliteStores({ dataDir, logger, clock });
  open.push(stores);
  const store = await openInstallations(stores, clock);
  await store.put(row('T1'));
  await openInstallations(stores, clock);
  const db = stores.connection.db;
  expect(db.prepare('SELECT version FROM installation_migrations').all()).toEqual([{ version: 1 }]);
  db.prepare("INSERT INTO installation_migrations VALUES (2, 'future', 'x')").run();
  await expect(openInstallations(stores, clock)).rejects.toMatchObject({
    code: 'STORE.UNAVAILABLE',
    // The same runner and refusal as the main schema (migrations.ts): what to do, both versions.
    message: 'the installations schema (v2) is newer than this Rolecall understands (v1); upgrade Rolecall',
    details: { schemaVersion: 2, codeVersion: 1 },
  });
});
