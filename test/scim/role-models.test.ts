import { describe, expect, it } from 'vitest';
import type { ScimServer } from '../support/scim-server.ts';
import { failure, makeDirectory, serverPerTest } from './helpers.ts';

/** The three role models against the in-memory SCIM server, including the fallbacks each needs. */

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TOKEN = 'role-models-token';
const start = serverPerTest({
  token: TOKEN,
  users: [
    { id: 'u-alice', userName: 'alice', emails: ['alice@example.com'], roles: ['viewer', 'billing'] },
    { id: 'u-bob', userName: 'bob', emails: ['bob@example.com'], [ENTERPRISE]: { role: 'ops' } },
  ],
  groups: [
    { id: 'g-admins', displayName: 'Admins' },
    { id: 'g-viewers', displayName: 'Viewers', members: ['alice'] },
  ],
});

const patches = (s: ScimServer) => s.requests.filter((r) => r.method === 'PATCH');

describe('groups model', () => {
  it('reads roles from the user’s groups attribute and changes membership with PATCH only', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect(await dir.getRoles('u-alice')).toEqual(['viewer']);
    dir.resetStats();
    expect(await dir.getRoles('u-alice')).toEqual(['viewer']);
    // Group ids are cached: one GET of the user per read.
    expect(dir.stats.requests).toBe(1);

    dir.resetStats();
    expect(await dir.grant('u-alice', 'admin')).toEqual({
      changed: true,
      before: ['viewer'],
      after: ['admin', 'viewer'],
    });
    expect(dir.stats).toMatchObject({ requests: 3, writes: 1, listings: 0 });
    expect(s.state.members('Admins')).toEqual(['u-alice']);
    expect(patches(s).at(-1)?.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'u-alice' }] }],
    });

    expect(await dir.revoke('u-alice', 'admin')).toMatchObject({ changed: true, after: ['viewer'] });
    expect(patches(s).at(-1)?.body).toMatchObject({
      Operations: [{ op: 'remove', path: 'members[value eq "u-alice"]' }],
    });
    expect(s.state.members('Admins')).toEqual([]);
    expect(s.requests.some((r) => r.method === 'PUT')).toBe(false);
  });

  it('without a groups attribute, checks membership by filter per group and never reads member lists', async () => {
    const s = await start({ faults: { userGroups: false } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect(await dir.getRoles('u-alice')).toEqual(['viewer']);
    expect(await dir.grant('u-alice', 'admin')).toMatchObject({ changed: true, after: ['admin', 'viewer'] });
    const filters = s.requests.filter((r) => r.path === '/Groups' && r.filter?.includes('members'));
    // The form is trusted only after its negative control (an id nobody has) found nothing.
    expect(filters[0]?.filter).toBe(
      'id eq "g-admins" and members[value eq "rolecall-negative-control-0000"]',
    );
    expect(filters[1]?.filter).toBe('id eq "g-admins" and members[value eq "u-alice"]');
    expect(filters.every((r) => r.query.excludedAttributes === 'members')).toBe(true);
    expect(s.requests.some((r) => r.query.attributes === 'members')).toBe(false);
    // A membership hit returns the group with its version: the removal is guarded by it.
    expect(await dir.revoke('u-alice', 'viewer')).toMatchObject({ changed: true, after: ['admin'] });
    expect(patches(s).map((p) => p.ifMatch)).toEqual([undefined, 'W/"1"']);
  });

  it('falls back to reading one group’s members when the server takes no member filters', async () => {
    const s = await start({ faults: { userGroups: false, rejectMemberFilters: true } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect(await dir.getRoles('u-alice')).toEqual(['viewer']);
    dir.resetStats();
    expect(await dir.getRoles('u-bob')).toEqual([]);
    // Form learnt: one user GET plus one member read per catalogue group, no rejected filters.
    expect(dir.stats.requests).toBe(3);
    expect(s.requests.filter((r) => r.query.attributes === 'members').length).toBeGreaterThan(0);
  });

  it('removes a member with a value list where value filters in paths are refused', async () => {
    const s = await start({ faults: { rejectValuePathPatch: true } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect(await dir.revoke('u-alice', 'viewer')).toEqual({ changed: true, before: ['viewer'], after: [] });
    expect(patches(s).map((p) => p.status)).toEqual([400, 200]);
    expect(patches(s)[1]?.body).toMatchObject({
      Operations: [{ op: 'remove', path: 'members', value: [{ value: 'u-alice' }] }],
    });
  });

  it('does not re-add a member on a server that would duplicate it, and removes duplicates on revoke', async () => {
    const s = await start({
      faults: { duplicateMembers: true },
      groups: [
        { id: 'g-admins', displayName: 'Admins', members: ['u-bob', 'u-bob'] },
        { id: 'g-viewers', displayName: 'Viewers' },
      ],
    });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    await dir.grant('u-alice', 'admin');
    expect((await dir.grant('u-alice', 'admin')).changed).toBe(false);
    expect(s.state.members('Admins').filter((m) => m === 'u-alice')).toHaveLength(1);
    await dir.revoke('u-bob', 'admin');
    expect(s.state.members('Admins')).toEqual(['u-alice']);
  });

  it('accepts 204 No Content for PATCH', async () => {
    const s = await start({ faults: { patchNoContent: true } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect(await dir.grant('u-bob', 'viewer')).toEqual({ changed: true, before: [], after: ['viewer'] });
    expect(patches(s)[0]?.status).toBe(204);
  });

  it('addresses groups configured by id', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, {
      token: TOKEN,
      roles: { admin: { groupId: 'g-admins' }, viewer: { groupId: 'g-viewers' } },
    });
    expect(await dir.grant('u-bob', 'admin')).toMatchObject({ changed: true, after: ['admin'] });
    expect(s.requests.some((r) => r.filter?.includes('displayName'))).toBe(false);
    expect(await dir.check()).toEqual({ ok: true, problems: [] });
    const missing = makeDirectory(s.baseUrl, { token: TOKEN, roles: { admin: { groupId: 'g-gone' } } });
    expect((await missing.dir.check()).problems).toEqual([expect.stringContaining('g-gone')]);
  });

  it('re-resolves a group recreated under a new id (404 on the cached id)', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect(await dir.getRoles('u-bob')).toEqual([]);
    s.state.groups.delete('g-admins');
    s.state.addGroup({ id: 'g-admins-2', displayName: 'Admins' });
    expect(await dir.grant('u-bob', 'admin')).toMatchObject({ changed: true, after: ['admin'] });
    expect(patches(s).map((p) => [p.path, p.status])).toEqual([
      ['/Groups/g-admins', 404],
      ['/Groups/g-admins-2', 200],
    ]);
  });

  it('throws SCIM.NOT_APPLIED when the server accepts a write that the read-back does not show', async () => {
    const s = await start({ faults: { ignorePatch: true } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    const err = await failure(dir.grant('u-bob', 'admin'));
    expect(err.code).toBe('SCIM.NOT_APPLIED');
    expect(err.message).toContain('"admin"');
  });

  it('rejects an ambiguous group name and tells check() about it', async () => {
    const s = await start({
      groups: [
        { id: 'g1', displayName: 'Admins' },
        { id: 'g2', displayName: 'ADMINS' },
        { id: 'g3', displayName: 'Viewers' },
      ],
    });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, roles: { admin: { group: 'admins' } } });
    expect((await failure(dir.grant('u-bob', 'admin'))).code).toBe('SCIM.AMBIGUOUS');
    expect((await dir.check()).problems).toEqual([expect.stringContaining('use groupId')]);
  });
});

describe('roles model', () => {
  const roles = { admin: { value: 'app-admin' }, viewer: {} };

  it('adds and removes values of the roles attribute, guarded by the user’s ETag', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, scim: { roleModel: 'roles' }, roles });
    expect(await dir.getRoles('u-alice')).toEqual(['viewer']);
    expect(await dir.grant('u-alice', 'admin')).toEqual({
      changed: true,
      before: ['viewer'],
      after: ['admin', 'viewer'],
    });
    expect(await dir.revoke('u-alice', 'viewer')).toEqual({
      changed: true,
      before: ['admin', 'viewer'],
      after: ['admin'],
    });
    expect(patches(s).map((p) => p.body)).toEqual([
      expect.objectContaining({
        Operations: [{ op: 'add', path: 'roles', value: [{ value: 'app-admin' }] }],
      }),
      expect.objectContaining({ Operations: [{ op: 'remove', path: 'roles[value eq "viewer"]' }] }),
    ]);
    expect(patches(s).every((p) => p.ifMatch?.startsWith('W/'))).toBe(true);
    expect((s.state.users.get('u-alice')!.roles as { value: string }[]).map((r) => r.value)).toEqual([
      'billing',
      'app-admin',
    ]);
  });

  it('rewrites the list without the value where value paths are refused, keeping other values', async () => {
    const s = await start({ faults: { rejectValuePathPatch: true } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, scim: { roleModel: 'roles' }, roles });
    expect(await dir.revoke('u-alice', 'viewer')).toEqual({ changed: true, before: ['viewer'], after: [] });
    expect(patches(s).at(-1)?.body).toMatchObject({
      Operations: [{ op: 'replace', path: 'roles', value: [{ value: 'billing' }] }],
    });
    expect(s.state.users.get('u-alice')?.roles).toEqual([{ value: 'billing' }]);
  });
});

describe('attribute model', () => {
  const scim = { roleModel: 'attribute', attributePath: `${ENTERPRISE}:role` };
  const roles = { ops: {}, dev: { value: 'developer' } };

  it('replaces the single value on grant and removes it on revoke only while it holds the role', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, scim, roles });
    expect(await dir.getRoles('u-bob')).toEqual(['ops']);
    expect(await dir.grant('u-bob', 'dev')).toEqual({ changed: true, before: ['ops'], after: ['dev'] });
    expect(s.state.users.get('u-bob')?.[ENTERPRISE]).toEqual({ role: 'developer' });
    expect((await dir.revoke('u-bob', 'ops')).changed).toBe(false);
    expect(await dir.revoke('u-bob', 'dev')).toEqual({ changed: true, before: ['dev'], after: [] });
    expect(patches(s).map((p) => p.body)).toEqual([
      expect.objectContaining({
        Operations: [{ op: 'replace', path: `${ENTERPRISE}:role`, value: 'developer' }],
      }),
      expect.objectContaining({ Operations: [{ op: 'remove', path: `${ENTERPRISE}:role` }] }),
    ]);
  });

  it('grants on a user who has no value yet', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN, scim, roles });
    expect(await dir.grant('u-alice', 'ops')).toEqual({ changed: true, before: [], after: ['ops'] });
  });
});
