import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderHome } from '../../src/app/render-home.ts';
import { startTestMongo, type TestMongo } from '../support/mongo-server.ts';
import { type StoreKind, startWorld, USERS, type World } from './world.ts';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo?.stop();
});

describe.each(['sqlite', 'mongodb'] as StoreKind[])('App Home audit view on %s', (kind) => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  it('shows the newest records first, also past 1 000 records (issue 13 item 7)', async () => {
    w = await startWorld(kind, () => mongo);
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
    expect(audit?.lines[0]).toContain('role-1005');
    expect(audit?.lines[9]).toContain('role-996');
  });
});
