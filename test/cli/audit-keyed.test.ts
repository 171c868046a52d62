import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { openStores } from '../../src/adapters/store/open.ts';
import { DB_FILE } from '../../src/adapters/store/sqlite/connection.ts';
import type { AuditRecord } from '../../src/core/audit.ts';
import { makeEvent } from '../store/fixtures.ts';
import { runCli } from './run-cli.ts';

/**
 * Issue 13 item 6: someone with write access to the database file (but not the audit key, nor the
 * checkpoint file) rewrites history. These run the real `rolecall audit verify` over SQLite.
 */
const K1 = 'k1=first-secret-of-at-least-32-characters';
const K2 = 'k2=second-secret-of-at-least-32-chars!';
const ENV_KEYS = ['ROLECALL_DATA_DIR', 'MONGODB_URI', 'ROLECALL_AUDIT_KEYS', 'ROLECALL_AUDIT_CHECKPOINTS'];
let saved: Record<string, string | undefined> = {};
let dataDir: string;
let anchorDir: string;

beforeEach(() => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  dataDir = mkdtempSync(join(tmpdir(), 'rolecall-keyed-'));
  anchorDir = mkdtempSync(join(tmpdir(), 'rolecall-anchor-'));
  delete process.env.MONGODB_URI;
  process.env.ROLECALL_DATA_DIR = dataDir;
  process.env.ROLECALL_AUDIT_CHECKPOINTS = join(anchorDir, 'checkpoints.jsonl');
  process.env.ROLECALL_AUDIT_KEYS = K1;
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(anchorDir, { recursive: true, force: true });
});

async function seed(n: number, keys = process.env.ROLECALL_AUDIT_KEYS): Promise<AuditRecord[]> {
  const stores = await openStores({
    env: { ...process.env, ROLECALL_AUDIT_KEYS: keys },
    logger: createLogger({ level: 'silent' }),
    clock: { now: () => new Date('2025-06-01T00:00:00.000Z') },
  });
  const out: AuditRecord[] = [];
  try {
    for (let i = 0; i < n; i++) out.push(await stores.audit.append(makeEvent({ note: `n${i}` })));
  } finally {
    await stores.close();
  }
  return out;
}

/** The attacker's raw access: the triggers go, rows are changed or dropped at will. */
function rawDb(): DatabaseSync {
  const db = new DatabaseSync(join(dataDir, DB_FILE));
  db.exec(
    'PRAGMA foreign_keys = OFF; DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;',
  );
  return db;
}

/** Sorted-key JSON (enough for these records), the way an attacker reading the docs would write it. */
function sortedJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`)
    .join(',')}}`;
}

/** Recompute every hash from seq 1 as the unkeyed (sha256) chain does, keeping any keyId as it is. */
function reseal(db: DatabaseSync): void {
  let prev = '0'.repeat(64);
  const rows = db.prepare('SELECT seq, body FROM audit ORDER BY seq').all() as {
    seq: number;
    body: string;
  }[];
  for (const row of rows) {
    const record = { ...JSON.parse(row.body), seq: row.seq, prevHash: prev };
    const hash = createHash('sha256').update(sortedJson(record)).digest('hex');
    db.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, row.seq);
    prev = hash;
  }
}

const verify = (...args: string[]) => runCli(['audit', 'verify', ...args]);

describe('audit verify against a rewritten chain', () => {
  it('fails when records were changed, the tail dropped and the chain resealed with our own hash', async () => {
    await seed(5);
    expect((await verify()).code).toBe(0);
    const db = rawDb();
    db.prepare(`UPDATE audit SET body = json_set(body, '$.role', 'owner') WHERE seq = 2`).run();
    db.prepare('DELETE FROM audit WHERE seq > 3').run();
    reseal(db);
    db.close();
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/breaks at seq 1/);
  });

  it('fails on a chain rewritten as unkeyed records when the checkpoint file is gone too', async () => {
    await seed(3);
    const db = rawDb();
    db.prepare(`UPDATE audit SET body = json_remove(body, '$.keyId')`).run();
    reseal(db);
    db.close();
    rmSync(process.env.ROLECALL_AUDIT_CHECKPOINTS!);
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no checkpoint found for a keyed chain/);
  });

  it('fails when records were rewritten as unkeyed (legacy) records and resealed', async () => {
    await seed(4);
    const db = rawDb();
    db.prepare(`UPDATE audit SET body = json_remove(body, '$.keyId')`).run();
    db.prepare(`UPDATE audit SET body = json_set(body, '$.role', 'owner') WHERE seq = 4`).run();
    reseal(db);
    db.close();
    const r = await verify();
    expect(r.code).toBe(1);
    // Each record alone now looks like a valid legacy record; the checkpoint pins the keyed head.
    expect(r.stdout).toMatch(/checkpoint/);
  });

  it('detects a dropped tail against the latest checkpoint, even with the chain itself intact', async () => {
    await seed(5);
    const db = rawDb();
    db.prepare('DELETE FROM audit WHERE seq = 5').run();
    db.close();
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/truncated.*seq 5/);
  });

  it('refuses a forged checkpoint line, and names the unknown key of a record', async () => {
    await seed(2);
    const file = process.env.ROLECALL_AUDIT_CHECKPOINTS!;
    const line = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as Record<string, unknown>;
    writeFileSync(file, `${JSON.stringify({ ...line, seq: 99 })}\n`, { flag: 'a' });
    const forged = await verify();
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/checkpoint.*(signature|mac)/i);
  });
});

describe('checkpoints in the log stream', () => {
  it('a log export alone catches a dropped tail, with the checkpoint file gone', async () => {
    let log = '';
    const stores = await openStores({
      env: { ...process.env },
      logger: createLogger({
        level: 'info',
        destination: {
          write: (line: string) => {
            log += line;
          },
        },
      }),
      clock: { now: () => new Date('2025-06-01T00:00:00.000Z') },
    });
    for (let i = 0; i < 3; i++) await stores.audit.append(makeEvent({ note: `n${i}` }));
    await stores.close();
    // The secret never reaches the log; the checkpoints do, signed.
    expect(log).not.toContain(K1.slice(3));
    const logFile = join(anchorDir, 'rolecall.log');
    writeFileSync(logFile, log);
    rmSync(process.env.ROLECALL_AUDIT_CHECKPOINTS!);
    const db = rawDb();
    db.prepare('DELETE FROM audit WHERE seq = 3').run();
    db.close();
    const none = await verify();
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/no checkpoint found for a keyed chain/);
    const allowed = await verify('--allow-no-checkpoint');
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(allowed.stdout).toMatch(/warning: no checkpoint found/);
    const r = await verify('--checkpoints', logFile);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/truncated.*seq 3/);
    expect(r.stdout).toMatch(/lines in the sources were not checkpoints/);
  });
});

describe('keys, rotation and the legacy prefix', () => {
  it('verifies records under an old key after rotation, and fails once that key is withdrawn', async () => {
    await seed(2, K1);
    await seed(2, `${K2},${K1}`);
    process.env.ROLECALL_AUDIT_KEYS = `${K2},${K1}`;
    const ok = await verify();
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/ok: 4 audit records/);
    process.env.ROLECALL_AUDIT_KEYS = K2;
    const withdrawn = await verify();
    expect(withdrawn.code).toBe(1);
    expect(withdrawn.stdout).toMatch(/unknown key k1/);
  });

  it('accepts an unkeyed (legacy) prefix up to the first keyed record, and nothing unkeyed after it', async () => {
    await seed(2, '');
    await seed(2, K1);
    const ok = await verify();
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/2 unkeyed \(legacy\) records/);
    await seed(1, '');
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/breaks at seq 5.*unkeyed/);
  });

  it('a wrong key is a break at the first keyed record', async () => {
    await seed(2, K1);
    process.env.ROLECALL_AUDIT_KEYS = 'k1=a-completely-different-secret-value-here';
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/breaks at seq 1/);
  });
});

describe('verification from outside, as the README describes it', () => {
  /** The README's recipe in JavaScript, written without Rolecall's code. */
  function outsideVerify(lines: Record<string, unknown>[], keys: Record<string, string>): number | 'ok' {
    let prev = '0'.repeat(64);
    for (const [i, r] of lines.entries()) {
      const { hash, ...rest } = r;
      const text = sortedJson(rest);
      const expected =
        typeof rest.keyId === 'string'
          ? createHmac('sha256', Buffer.from(keys[rest.keyId] ?? '', 'utf8'))
              .update(text)
              .digest('hex')
          : createHash('sha256').update(text).digest('hex');
      if (rest.seq !== i + 1 || rest.prevHash !== prev || hash !== expected) return i + 1;
      prev = hash as string;
    }
    return 'ok';
  }

  it('an export verifies with a few lines of JavaScript and of Python', async () => {
    await seed(1, '');
    await seed(3, K1);
    const out = join(anchorDir, 'export.jsonl');
    expect((await runCli(['audit', '--format', 'jsonl', '--out', out])).code).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const secret = K1.slice(3);
    expect(outsideVerify(lines, { k1: secret })).toBe('ok');
    lines[2] = { ...lines[2], role: 'owner' };
    expect(outsideVerify(lines, { k1: secret })).toBe(3);
    const python = spawnSync('python3', ['--version']).status === 0;
    // Python is optional on a developer machine; the JavaScript recipe above always runs.
    if (python) {
      const script = join(anchorDir, 'verify.py');
      writeFileSync(script, readmePython());
      const checkpoints = process.env.ROLECALL_AUDIT_CHECKPOINTS!;
      const py = (...args: string[]) =>
        spawnSync('python3', [script, ...args], {
          env: { ...process.env, ROLECALL_AUDIT_KEYS: K1 },
          encoding: 'utf8',
        });
      const ok = py(out, checkpoints);
      expect(ok.stdout.trim(), ok.stderr).toBe('ok 4');
      // The same script notices a dropped tail from the checkpoints.
      writeFileSync(out, `${readFileSync(out, 'utf8').trim().split('\n').slice(0, 3).join('\n')}\n`);
      const cut = py(out, checkpoints);
      expect(cut.status).not.toBe(0);
      expect(cut.stderr).toContain('checkpoint seq 4');
    }
  });
});

/** The Python snippet from README.md's Security section, taken from the README itself. */
function readmePython(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const m = /```python\n# verify-audit\.py\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md has no ```python # verify-audit.py block');
  return m[1]!;
}
