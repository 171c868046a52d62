import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { applyChange } from '../../src/app/apply-change.ts';
import { reconcileGrants } from '../../src/app/reconcile-grants.ts';
import { registerReconcileCommand } from '../../src/cli/reconcile.ts';
import { startScheduler } from '../../src/scheduler.ts';
import { useTestMongo } from '../support/mongo-per-file.ts';
import { HOUR, type StoreKind, startWorld, type World } from './world.ts';

const mongo = useTestMongo();

describe.each(['sqlite', 'mongodb'] as StoreKind[])('reconcile on %s', (kind) => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  it('reports missing, re-added and overdue grants, and --fix repairs through SCIM with audit records', async () => {
    w = await startWorld(kind, mongo);
    const p = await w.boot();
    const fine = await w.grant(p, { target: 'alice', role: 'viewer', durationMs: 3 * HOUR });
    const removed = await w.grant(p, { target: 'bob', role: 'editor', durationMs: 3 * HOUR });
    const readded = await w.grant(p, { target: 'olga', role: 'viewer', durationMs: HOUR });
    w.clock.advance(HOUR);
    await startScheduler(p.deps, 3_600_000).tick();
    expect((await p.deps.requests.get(readded.id))?.state).toBe('revoked');
    const overdue = await w.grant(p, { target: 'erin', role: 'admin', durationMs: HOUR });
    w.clock.advance(HOUR + 1);
    // Outside Rolecall: an IdP sync removes Bob's editor and gives Olga viewer back.
    w.setMember('Editors', 'bob', false);
    w.setMember('Viewers', 'olga', true);

    const report = await reconcileGrants(p.deps);
    const status = Object.fromEntries(report.map((c) => [c.requestId, c.status]));
    expect(status).toEqual({
      [fine.id]: 'ok',
      [removed.id]: 'missing',
      [readded.id]: 're_added',
      [overdue.id]: 'overdue',
    });
    expect(report.every((c) => c.fix === undefined)).toBe(true);
    // Report-only writes nothing and sends nothing.
    const patches = w.patches();
    expect((await p.deps.audit.query({ kinds: ['reconciled', 'drift_detected'] })).length).toBe(0);

    const fixed = await reconcileGrants(p.deps, { fix: true });
    const fixes = Object.fromEntries(fixed.map((c) => [c.requestId, c.fix]));
    expect(fixes).toEqual({
      [fine.id]: undefined,
      [removed.id]: 'reapplied',
      [readded.id]: 'removed',
      [overdue.id]: 'skipped',
    });
    expect(w.patches()).toBe(patches + 2);
    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
    expect(w.groupMembers('Viewers')).not.toContain(w.scimId('olga'));
    const rec = await p.deps.audit.query({ requestId: removed.id, kinds: ['drift_detected', 'reconciled'] });
    expect(rec.map((r) => [r.kind, r.outcome, r.actor?.displayName])).toEqual([
      ['drift_detected', 'missing', 'Rolecall'],
      ['reconciled', 'reapplied', 'Rolecall'],
    ]);
    expect((await p.deps.audit.verify()).ok).toBe(true);
    // Repaired: a second run finds only the overdue grant, which the scheduler then revokes.
    const again = await reconcileGrants(p.deps, { tenantId: 'acme' });
    expect(again.filter((c) => c.status !== 'ok').map((c) => c.requestId)).toEqual([overdue.id]);
    await startScheduler(p.deps, 3_600_000).tick();
    expect((await reconcileGrants(p.deps)).every((c) => c.status === 'ok')).toBe(true);
  });

  it('never re-grants a role that an approved revoke through Rolecall removed before the end', async () => {
    w = await startWorld(kind, mongo);
    const p = await w.boot();
    const timed = await w.grant(p, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    w.clock.advance(60_000);
    await applyChange(
      p.deps,
      await w.approvedRequest(p, { target: 'bob', role: 'editor', action: 'revoke' }),
    );
    const fixed = await reconcileGrants(p.deps, { fix: true });
    expect(fixed.find((c) => c.requestId === timed.id)).toBeUndefined();
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
  });

  it('ignores a grant left in place on purpose and one covered by a permanent grant', async () => {
    w = await startWorld(kind, mongo);
    const p = await w.boot();
    // Erin held editor before: the end leaves it in place, which is not drift.
    await w.grant(p, { target: 'erin', role: 'editor', durationMs: HOUR });
    const timed = await w.grant(p, { target: 'bob', role: 'editor', durationMs: HOUR });
    w.clock.advance(HOUR);
    await startScheduler(p.deps, 3_600_000).tick();
    expect((await p.deps.requests.get(timed.id))?.state).toBe('revoked');
    await w.grant(p, { target: 'bob', role: 'editor' });
    const report = await reconcileGrants(p.deps);
    expect(report.filter((c) => c.status !== 'ok')).toEqual([]);
  });
});

describe('rolecall reconcile (CLI, SQLite)', () => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  async function run(args: string[]): Promise<{ code: number; out: string }> {
    const program = new Command('rolecall').exitOverride();
    let out = '';
    registerReconcileCommand(program, {
      env: {
        ROLECALL_CONFIG: join(w.dir, 'rolecall.yml'),
        ROLECALL_DATA_DIR: w.dataDir,
        E2E_SCIM_TOKEN: 'tb-token',
      },
      clock: w.clock,
      out: (t) => {
        out += t;
      },
    });
    try {
      await program.parseAsync(['reconcile', ...args], { from: 'user' });
      return { code: 0, out };
    } catch (err) {
      return { code: (err as { exitCode?: number }).exitCode ?? -1, out };
    }
  }

  it('exits 1 on drift without --fix, 0 after --fix; --json prints one object per grant', async () => {
    w = await startWorld('sqlite', mongo);
    writeFileSync(join(w.dir, 'rolecall.yml'), w.policyText);
    const p = await w.boot();
    const g = await w.grant(p, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    await p.stop();
    w.setMember('Editors', 'bob', false);

    const first = await run([]);
    expect(first.code).toBe(1);
    expect(first.out).toContain(`acme  ${g.id}  bob@acme.test  editor  applied until`);
    expect(first.out).toContain('MISSING in directory');
    expect(first.out).toContain('1 time-bound grants checked, 1 with drift');

    const json = await run(['--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out.trim())).toMatchObject({ requestId: g.id, status: 'missing' });

    const fix = await run(['--fix', '--tenant', 'acme']);
    expect(fix.code).toBe(0);
    expect(fix.out).toContain('fix: reapplied');
    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
    expect((await run([])).code).toBe(0);
    expect((await run(['--tenant', 'nope'])).code).toBe(2);
    // Past its end with the bot down: reported, left to the bot, and still a failure for --fix.
    w.clock.advance(3 * HOUR);
    const overdue = await run(['--fix']);
    expect(overdue.code).toBe(1);
    expect(overdue.out).toContain('OVERDUE');
    expect(overdue.out).toContain('fix: skipped');
  });
});
