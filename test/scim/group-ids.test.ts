import { describe, expect, it } from 'vitest';
import { GROUP_ID_TTL_MS } from '../../src/adapters/scim/roles-groups.ts';
import type { ScimServer } from '../support/scim-server.ts';
import { makeDirectory, serverPerTest } from './helpers.ts';

/** Group ids resolved for all catalogue roles at once, cached with a lifetime; membership never cached. */
const TOKEN = 'group-ids-token';
const ROLES = {
  viewer: { group: 'Viewers' },
  editor: { group: 'Editors' },
  admin: { group: 'Admins' },
  owner: { group: 'Owners' },
};
const start = serverPerTest({
  token: TOKEN,
  users: [{ id: 'u-ann', userName: 'ann', emails: ['ann@example.com'] }],
  groups: ['Viewers', 'Editors', 'Admins', 'Owners'].map((g) => ({
    id: `g-${g.toLowerCase()}`,
    displayName: g,
    members: g === 'Viewers' ? ['u-ann'] : [],
  })),
});

const groupLookups = (s: ScimServer) =>
  s.requests.filter((r) => r.path === '/Groups' && r.filter?.includes('displayName'));

describe('groups model: group ids', () => {
  it('a cold grant costs 4 calls (one `or` lookup for every role, the user, the PATCH, the read-back); warm 3', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, roles: ROLES });
    expect(await dir.grant('u-ann', 'editor')).toMatchObject({ changed: true, after: ['viewer', 'editor'] });
    expect(dir.stats.requests).toBe(4);
    expect(groupLookups(s)).toHaveLength(1);
    expect(groupLookups(s)[0]!.filter).toBe(
      'displayName eq "Viewers" or displayName eq "Editors" or displayName eq "Admins" or displayName eq "Owners"',
    );
    dir.resetStats();
    await dir.revoke('u-ann', 'editor');
    expect(dir.stats.requests).toBe(3);
    expect(dir.stats.listings).toBe(0);
  });

  it('membership is read fresh every time: a change made outside Rolecall shows at once', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, roles: ROLES });
    expect(await dir.getRoles('u-ann')).toEqual(['viewer']);
    s.state.groups.get('g-admins')!.members = [{ value: 'u-ann' }];
    expect(await dir.getRoles('u-ann')).toEqual(['viewer', 'admin']);
  });

  it('falls back to one lookup per name on a server that refuses `or`, and remembers it', async () => {
    const s = await start({ faults: { unsupportedOperators: ['or'] } });
    let now = 1_000_000;
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, roles: ROLES, now: () => now });
    expect(await dir.getRoles('u-ann')).toEqual(['viewer']);
    expect(groupLookups(s).filter((r) => r.status === 400)).toHaveLength(1);
    expect(groupLookups(s).filter((r) => r.status === 200)).toHaveLength(4);
    // After the ids expire, the same client goes straight to one lookup per name.
    now += GROUP_ID_TTL_MS;
    expect(await dir.getRoles('u-ann')).toEqual(['viewer']);
    expect(groupLookups(s).filter((r) => r.status === 400)).toHaveLength(1);
    expect(groupLookups(s).filter((r) => r.status === 200)).toHaveLength(8);
  });

  it('ids expire after the lifetime and are resolved again (a recreated group is picked up)', async () => {
    const s = await start();
    let now = 1_000_000;
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, roles: ROLES, now: () => now });
    await dir.getRoles('u-ann');
    // Viewers is recreated under a new id, Ann still a member.
    s.state.groups.delete('g-viewers');
    s.state.addGroup({ id: 'g-viewers-2', displayName: 'Viewers', members: ['u-ann'] });
    now += GROUP_ID_TTL_MS - 1;
    expect(await dir.getRoles('u-ann')).toEqual([]);
    now += 2;
    expect(await dir.getRoles('u-ann')).toEqual(['viewer']);
  });

  it('a missing catalogue group is still reported by name, the others resolve from the one lookup', async () => {
    const s = await start();
    s.state.groups.delete('g-owners');
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, roles: ROLES });
    expect(await dir.getRoles('u-ann')).toEqual(['viewer']);
    expect((await dir.check()).problems.join()).toMatch(/Owners" not found/);
    // The `or` lookup is not repeated for the missing name on every read; the name alone is.
    const batches = () => groupLookups(s).filter((r) => r.filter?.includes(' or ')).length;
    expect(batches()).toBe(1);
    dir.resetStats();
    await dir.getRoles('u-ann');
    expect(batches()).toBe(1);
    expect(dir.stats.requests).toBe(2);
  });

  it('without `groups` on users, the read-back after a write re-checks only the written group', async () => {
    const s = await start({ faults: { userGroups: false } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, roles: ROLES });
    await dir.getRoles('u-ann');
    dir.resetStats();
    expect(await dir.grant('u-ann', 'admin')).toEqual({
      changed: true,
      before: ['viewer'],
      after: ['viewer', 'admin'],
    });
    // The user, one membership filter per role, the PATCH, one membership filter for admin.
    expect(dir.stats.requests).toBe(7);
    expect(s.state.groupsOf('u-ann').sort()).toEqual(['Admins', 'Viewers']);
    // A write that does not land is still caught by that one fresh check.
    s.faults.ignorePatch = true;
    await expect(dir.revoke('u-ann', 'admin')).rejects.toMatchObject({ code: 'SCIM.NOT_APPLIED' });
  });
});
