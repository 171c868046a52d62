import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { openStores } from '../../src/adapters/store/open.ts';
import { DB_FILE } from '../../src/adapters/store/sqlite/connection.ts';
import type { AuditRecord } from '../../src/core/audit.ts';
import { runCli } from './run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'rolecall-cli-audit-'));
const saved = { dir: process.env.ROLECALL_DATA_DIR, mongo: process.env.MONGODB_URI };
let seeded: AuditRecord[] = [];

beforeAll(async () => {
  process.env.ROLECALL_DATA_DIR = dataDir;
  // This file is about the CLI over the default store; the MongoDB adapter has its own suite.
  delete process.env.MONGODB_URI;
  const stores = await openStores({
    env: { ROLECALL_DATA_DIR: dataDir },
    logger: createLogger({ level: 'silent' }),
    clock: { now: () => new Date() },
  });
  const recent = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
  seeded = [
    await stores.audit.append({
      kind: 'requested',
      at: recent(24 * 30),
      tenantId: 'T1',
      requestId: 'r1',
      requester: { slackUserId: 'UANN', email: 'ann@example.com' },
      role: 'admin',
      action: 'grant',
    }),
    await stores.audit.append({
      kind: 'applied',
      noop: false,
      at: recent(2),
      tenantId: 'T1',
      requestId: 'r1',
      requester: { slackUserId: 'UANN', email: 'ann@example.com' },
      target: { slackUserId: 'UBOB', email: 'bob@example.com' },
      role: 'admin',
      action: 'grant',
      note: '=cmd|calc',
    }),
    await stores.audit.append({
      kind: 'revoked',
      at: recent(1),
      tenantId: 'T2',
      requestId: 'r2',
      target: { scimId: 'scim-carol' },
      role: 'viewer',
      action: 'revoke',
    }),
  ];
  await stores.close();
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  if (saved.dir === undefined) delete process.env.ROLECALL_DATA_DIR;
  else process.env.ROLECALL_DATA_DIR = saved.dir;
  if (saved.mongo !== undefined) process.env.MONGODB_URI = saved.mongo;
});

afterEach(() => vi.restoreAllMocks());

let outCount = 0;
const outFile = () => join(dataDir, `export-${++outCount}`);
const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);

const run = (...argv: string[]) => runCli(argv);

describe('rolecall audit', () => {
  it('exports everything as JSON lines to a new private file', async () => {
    const file = outFile();
    const r = await run('audit', '--format', 'jsonl', '--out', file);
    expect(r.code).toBe(0);
    expect(readJsonl(file)).toEqual(seeded);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(r.stderr).toContain('wrote 3 audit records');
  });

  it('filters by kind, tenant, user and time', async () => {
    const seqs = async (...args: string[]) => {
      const file = outFile();
      expect((await run('audit', '--format', 'jsonl', '--out', file, ...args)).code).toBe(0);
      return readJsonl(file).map((x) => x.seq);
    };
    expect(await seqs('--kind', 'applied,revoked')).toEqual([2, 3]);
    expect(await seqs('--tenant', 'T2')).toEqual([3]);
    expect(await seqs('--user', 'bob@example.com')).toEqual([2]);
    expect(await seqs('--user', 'UANN')).toEqual([1, 2]);
    expect(await seqs('--since', '7d')).toEqual([2, 3]);
    expect(await seqs('--until', seeded[2]!.at)).toEqual([1, 2]);
    expect(await seqs('--limit', '1')).toEqual([1]);
  });

  it('writes CSV with the formula guard, and a table to stdout', async () => {
    const file = outFile();
    expect((await run('audit', '--format', 'csv', '--kind', 'applied', '--out', file)).code).toBe(0);
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^seq,at,kind,tenant_id/);
    expect(csv).toContain(",'=cmd|calc,");
    const table = await run('audit');
    expect(table.code).toBe(0);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(table.stdout).toContain('ann@example.com');
  });

  it('refuses bad arguments and never overwrites a file', async () => {
    const file = outFile();
    writeFileSync(file, 'keep me');
    const r = await run('audit', '--format', 'jsonl', '--out', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already exists');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect((await run('audit', '--kind', 'applied,nonsense')).code).toBe(1);
    expect((await run('audit', '--since', 'last tuesday')).code).toBe(1);
    expect((await run('audit', '--format', 'xml')).code).toBe(1);
    expect(existsSync(join(dataDir, DB_FILE))).toBe(true);
  });

  it('verify prints ok and the count, then the first broken seq after tampering', async () => {
    const ok = await run('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok: 3 audit records/);

    const db = new DatabaseSync(join(dataDir, DB_FILE));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare(`UPDATE audit SET body = json_set(body, '$.role', 'owner') WHERE seq = 2`).run();
    db.close();
    const broken = await run('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('breaks at seq 2');
  });

  it('reports an unreachable store as an error, exit 2', async () => {
    process.env.MONGODB_URI = 'mongodb://127.0.0.1:1/x?serverSelectionTimeoutMS=200';
    try {
      const r = await run('audit', 'verify');
      expect(r.code).toBe(2);
    } finally {
      delete process.env.MONGODB_URI;
    }
  });
});
