import { afterEach, describe, expect, it } from 'vitest';
import { renderHome } from '../../src/app/render-home.ts';
import { plainText } from '../../src/core/rich-text.ts';
import { type StoreKind, startWorld, USERS, type World } from './world.ts';

// SQLite only: 1 005 appends take ~20 s on jongodb; the newest-first query itself is in the store
// contract, which runs on both stores (test/store/contract-audit.ts).
describe.each(['sqlite'] as StoreKind[])('App Home audit view on %s', (kind) => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  it('shows the newest records first, also past 1 000 records (issue 13 item 7)', async () => {
    w = await startWorld(kind, () => {
      throw new Error('no MongoDB in this file');
    });
    const p = await w.boot();
    const tenantId = p.deps.policy.tenants[0]!.id;
    for (let i = 1; i <= 1005; i++)
      await p.stores.audit.append({
        kind: 'requested',
        at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
        tenantId,
        role: `role-${i}`,
      });
    const teamId = p.deps.policy.tenants[0]!.slack.teams[0]!;
    // The recording chat knows no one; Alice (an admin) is who opens her App Home here.
    p.deps.chat.userInfo = async (id: string) => ({
      id,
      teamId,
      name: 'alice',
      email: USERS.alice.userName,
      isBot: false,
      isDeleted: false,
      isRestricted: false,
      isStranger: false,
    });
    const home = await renderHome(p.deps, USERS.alice.slack, teamId);
    const audit = home.sections.find((s) => s.title === 'Latest audit records');
    expect(audit?.lines).toHaveLength(10);
    expect(plainText(audit?.lines[0] ?? '')).toContain('role-1005');
    expect(plainText(audit?.lines[9] ?? '')).toContain('role-996');
  });
});
