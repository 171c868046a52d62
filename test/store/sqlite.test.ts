import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import type { AuditKeyring } from '../../src/adapters/store/audit-keys.ts';
import { openStores } from '../../src/adapters/store/open.ts';
import { DB_FILE } from '../../src/adapters/store/sqlite/connection.ts';
import { openSqliteStores, type SqliteStoreSet } from '../../src/adapters/store/sqlite/index.ts';
import { MIGRATIONS, type Migration, migrate } from '../../src/adapters/store/sqlite/migrations.ts';
import { expectCode, type StoreHarness, storeContract } from './contract.ts';
import { makeEvent, makeRequest } from './fixtures.ts';

const logger = createLogger({ level: 'silent' });
const clock = { now: () => new Date('2025-06-01T00:00:00.000Z') };
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-sqlite-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A raw connection to the same file, as an operator (or attacker) with file access would have. */
function raw(stores: SqliteStoreSet): DatabaseSync {
  return new DatabaseSync(stores.connection.path);
}

storeContract('sqlite', async (): Promise<StoreHarness> => {
  const dataDir = tempDir();
  const open = (o: { auditKeys?: AuditKeyring } = {}) => openSqliteStores({ dataDir, logger, clock, ...o });
  const stores = open();
  const tamper = (sql: string, ...params: (string | number)[]) => {
    const db = raw(stores);
    // The schema's triggers forbid this; someone with the file can drop them, and verify must notice.
    db.exec('PRAGMA foreign_keys = OFF; DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
    db.prepare(sql).run(...params);
    db.close();
  };
  return {
    stores,
    reconnect: async (o) => open(o),
    corruptRequest: async (id) => {
      const db = raw(stores);
      db.prepare('UPDATE requests SET body = \'{"id": broken\' WHERE id = ?').run(id);
      db.close();
    },
    tamperAudit: async (seq) =>
      tamper(`UPDATE audit SET body = json_set(body, '$.role', 'owner') WHERE seq = ?`, seq),
    deleteAudit: async (seq) => tamper('DELETE FROM audit WHERE seq = ?', seq),
    dispose: () => stores.close(),
  };
});

describe('sqlite specifics', () => {
  it('creates the data dir and keeps one file in it', async () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const stores = await openStores({ env: { ROLECALL_DATA_DIR: dataDir }, logger, clock });
    expect(stores.kind).toBe('sqlite');
    await stores.requests.create(makeRequest());
    await stores.close();
    expect(readdirSync(dataDir)).toContain(DB_FILE);
  });

  it('runs in WAL mode with synchronous=FULL and a busy timeout', async () => {
    const stores = openSqliteStores({ dataDir: tempDir(), logger, clock, busyTimeoutMs: 1234 });
    const pragma = (name: string) =>
      stores.connection.db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>;
    expect(pragma('journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(pragma('synchronous')).toEqual({ synchronous: 2 }); // 2 = FULL
    expect(pragma('busy_timeout')).toEqual({ timeout: 1234 });
    expect(pragma('foreign_keys')).toEqual({ foreign_keys: 1 });
    // WAL is a property of the file: another connection sees it too.
    const other = raw(stores);
    expect(other.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    other.close();
    await stores.close();
  });

  it('records versioned migrations once and reruns safely', async () => {
    const dataDir = tempDir();
    const first = openSqliteStores({ dataDir, logger, clock });
    const rows = () =>
      first.connection.db
        .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
        .all();
    const before = rows();
    expect(before.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await first.requests.create(makeRequest());
    const later = { now: () => new Date('2030-01-01T00:00:00.000Z') };
    const again = openSqliteStores({ dataDir, logger, clock: later });
    expect(migrate(again.connection.db, later)).toEqual([]);
    expect(rows()).toEqual(before);
    expect(await again.requests.find({})).toHaveLength(1);
    await again.close();
    await first.close();
  });

  it('applies only the migrations a database lacks, each with its row', () => {
    const db = new DatabaseSync(':memory:');
    const steps: Migration[] = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER) STRICT;' },
      { version: 2, name: 'b', sql: 'CREATE TABLE b (x INTEGER) STRICT;' },
    ];
    expect(migrate(db, clock, steps.slice(0, 1))).toEqual([1]);
    expect(migrate(db, clock, steps)).toEqual([2]);
    expect(migrate(db, clock, steps)).toEqual([]);
    // A failing step leaves neither its table nor its row behind.
    const bad = [
      ...steps,
      { version: 3, name: 'bad', sql: 'CREATE TABLE c (x INTEGER); SELECT nope FROM nowhere;' },
    ];
    expect(() => migrate(db, clock, bad)).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'c'").all()).toEqual([]);
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: 2 });
    db.close();
  });

  it('refuses to start on a database newer than the code', async () => {
    const dataDir = tempDir();
    const stores = openSqliteStores({ dataDir, logger, clock });
    const db = raw(stores);
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'from the future', '2099-01-01')").run();
    db.close();
    await stores.close();
    const err = (() => {
      try {
        openSqliteStores({ dataDir, logger, clock });
      } catch (e) {
        return e as { code?: string; message?: string };
      }
    })();
    expect(err?.code).toBe('STORE.UNAVAILABLE');
    expect(err?.message).toMatch(/newer than this Rolecall/);
  });

  it('rejects UPDATE and DELETE on the audit tables in the file itself', async () => {
    const stores = openSqliteStores({ dataDir: tempDir(), logger, clock });
    await stores.audit.append(makeEvent());
    const db = raw(stores);
    expect(() => db.exec("UPDATE audit SET kind = 'denied'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit')).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_users')).toThrow(/append-only/);
    db.close();
    expect(await stores.audit.verify()).toMatchObject({ ok: true, count: 1 });
    await stores.close();
  });

  it('has no UPDATE or DELETE of audit rows anywhere in the adapter code', () => {
    const dir = new URL('../../src/adapters/store/sqlite/', import.meta.url);
    for (const f of readdirSync(dir)) {
      const text = readFileSync(new URL(f, dir), 'utf8');
      expect(text, f).not.toMatch(/UPDATE\s+audit|DELETE\s+FROM\s+audit/i);
    }
  });

  it('fails closed when another process holds the lock past the busy timeout', async () => {
    const stores = openSqliteStores({ dataDir: tempDir(), logger, clock, busyTimeoutMs: 20 });
    const r = makeRequest();
    await stores.requests.create(r);
    const holder = raw(stores);
    holder.exec('BEGIN IMMEDIATE');
    await expectCode(stores.requests.create(makeRequest()), 'STORE.UNAVAILABLE');
    await expectCode(stores.audit.append(makeEvent()), 'STORE.UNAVAILABLE');
    expect(await stores.requests.ping()).toBe(false);
    holder.exec('ROLLBACK');
    holder.close();
    // The failed append left nothing half-written and the next one works.
    expect((await stores.audit.append(makeEvent())).seq).toBe(1);
    await stores.close();
  });

  it('fails closed when the disk is full', async () => {
    const stores = openSqliteStores({ dataDir: tempDir(), logger, clock });
    const db = stores.connection.db;
    const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    db.exec(`PRAGMA max_page_count = ${pages}`);
    const big = 'x'.repeat(64 * 1024);
    await expectCode(stores.requests.create(makeRequest({ justification: big })), 'STORE.UNAVAILABLE');
    await expectCode(stores.audit.append(makeEvent({ note: big })), 'STORE.UNAVAILABLE');
    await stores.close();
  });

  it('reports valid JSON that breaks the schema as STORE.CORRUPT', async () => {
    const stores = openSqliteStores({ dataDir: tempDir(), logger, clock });
    const r = makeRequest();
    await stores.requests.create(r);
    const db = raw(stores);
    db.prepare(`UPDATE requests SET body = json_set(body, '$.state', 'bogus') WHERE id = ?`).run(r.id);
    db.close();
    await expectCode(stores.requests.get(r.id), 'STORE.CORRUPT');
    await stores.close();
  });

  it('keeps one chain when threads with their own connections append at the same time', async () => {
    const dataDir = tempDir();
    const stores = openSqliteStores({ dataDir, logger, clock });
    const worker = (id: number) =>
      new Promise<number[]>((resolve, reject) => {
        const w = new Worker(new URL('./append-worker.ts', import.meta.url), {
          workerData: { dataDir, id, count: 25 },
        });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const [a, b] = await Promise.all([worker(1), worker(2)]);
    const seqs = [...(a ?? []), ...(b ?? [])].sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await stores.audit.verify()).toMatchObject({ ok: true, count: 50 });
    await stores.close();
  });
});
