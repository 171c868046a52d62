import { describe, expect, it } from 'vitest';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';
import { failure, makeDirectory, serverPerTest } from './helpers.ts';

/**
 * Issue 12: behaviours of real SCIM servers (scimmy, lenient or case-sensitive directories, proxies)
 * reproduced with the embedded server's fault knobs, so each stays covered. Every test asserts the
 * whole membership or role list, not only the target's.
 */

const TOKEN = 'unsafe-token';
const start = serverPerTest({
  token: TOKEN,
  users: [
    { id: 'u-alice', userName: 'alice', emails: ['alice@example.com'], roles: ['viewer'] },
    { id: 'u-bob', userName: 'bob', emails: ['bob@example.com'] },
    { id: 'u-carol', userName: 'carol', emails: ['carol@example.com'] },
    { id: 'u-dora', userName: 'dora', emails: ['dora@example.com'], active: false, roles: ['viewer'] },
  ],
  groups: [
    { id: 'g-admins', displayName: 'Admins', members: ['u-carol', 'u-alice'] },
    { id: 'g-viewers', displayName: 'Viewers', members: ['u-alice', 'u-dora'] },
  ],
});

const dirFor = (s: ScimServer, o: Parameters<typeof makeDirectory>[1] = {}) =>
  makeDirectory(s.baseUrl, { token: TOKEN, ...o });
const sorted = (xs: string[]) => [...xs].sort();

describe('1: a PATCH never carries query parameters a server could apply to the stored resource', () => {
  it('keeps every other member when the server applies excludedAttributes to the write', async () => {
    const s = await start({ faults: { patchAppliesQuery: true } });
    const { dir } = dirFor(s);
    expect(await dir.grant('u-bob', 'admin')).toMatchObject({ changed: true, after: ['admin'] });
    expect(sorted(s.state.members('Admins'))).toEqual(['u-alice', 'u-bob', 'u-carol']);
    expect(await dir.revoke('u-carol', 'admin')).toMatchObject({ changed: true, after: [] });
    expect(sorted(s.state.members('Admins'))).toEqual(['u-alice', 'u-bob']);
    for (const r of s.requests.filter((x) => x.method === 'PATCH')) expect(r.query).toEqual({});
  });
});

describe('2: a membership filter is trusted only after a negative control', () => {
  it('does not read a user without roles as holding every role when the member part is ignored', async () => {
    const s = await start({ faults: { userGroups: false, ignoreMemberFilter: true } });
    const { dir } = dirFor(s);
    expect(await dir.getRoles('u-bob')).toEqual([]);
    expect(await dir.getRoles('u-alice')).toEqual(['admin', 'viewer']);
    // Every filter form failed its control: membership comes from the group itself.
    expect(s.requests.some((r) => r.query.attributes === 'members')).toBe(true);
  });
});

describe('3: a roles rewrite never loses a role someone else added', () => {
  const rolesModel = { scim: { roleModel: 'roles' }, roles: { admin: {}, viewer: {}, ops: {} } };

  it('without ETags, re-reads before the write and refuses with SCIM.CONFLICT when the roles moved', async () => {
    const s = await start({ faults: { etags: false, rejectValuePathPatch: true } });
    let added = false;
    s.faults.onRequest = (r) => {
      // Another admin adds `ops` after Rolecall read the user, before it rewrites the list.
      if (r.method === 'PATCH' && !added) {
        added = true;
        const u = s.state.users.get('u-alice')!;
        u.roles = [...(u.roles as { value: string }[]), { value: 'ops' }];
      }
    };
    const { dir } = dirFor(s, rolesModel);
    const err = await failure(dir.revoke('u-alice', 'viewer'));
    expect(err.code).toBe('SCIM.CONFLICT');
    const roles = (s.state.users.get('u-alice')!.roles as { value: string }[]).map((r) => r.value);
    expect(sorted(roles)).toEqual(['ops', 'viewer']);
  });

  it('trusts If-Match only where ServiceProviderConfig says ETags are supported', async () => {
    const s = await start({ faults: { rejectValuePathPatch: true, advertiseEtags: false } });
    const { dir } = dirFor(s, rolesModel);
    expect(await dir.revoke('u-alice', 'viewer')).toMatchObject({ changed: true, after: [] });
    const userReads = s.requests.filter((r) => r.method === 'GET' && r.path === '/Users/u-alice');
    // read, re-read just before the rewrite, read-back
    expect(userReads).toHaveLength(3);

    const t = await startScimServer({
      token: TOKEN,
      users: [{ id: 'u-x', userName: 'x', roles: ['viewer', 'admin'] }],
      faults: { rejectValuePathPatch: true },
    });
    try {
      const other = makeDirectory(t.baseUrl, { token: TOKEN, ...rolesModel });
      expect(await other.dir.revoke('u-x', 'viewer')).toMatchObject({ changed: true, after: ['admin'] });
      const rewrite = t.requests.filter((r) => r.method === 'PATCH').at(-1);
      expect(rewrite?.ifMatch).toBe('W/"1"');
      expect(t.requests.filter((r) => r.method === 'GET' && r.path === '/Users/u-x')).toHaveLength(2);
    } finally {
      await t.close();
    }
  });
});

describe('4: a write answered with anything but a clean success is decided by a read', () => {
  it('reports a grant answered 409 after the server applied it as done', async () => {
    const s = await start();
    s.faults.rules.push({ method: 'PATCH', action: { kind: 'status', status: 409, apply: true } });
    const { dir } = dirFor(s);
    expect(await dir.grant('u-bob', 'viewer')).toEqual({
      changed: true,
      before: [],
      after: ['viewer'],
    });
    expect(sorted(s.state.members('Viewers'))).toEqual(['u-alice', 'u-bob', 'u-dora']);
  });

  it('still reports a 409 that changed nothing as a conflict, after reading', async () => {
    const s = await start();
    s.faults.rules.push({ method: 'PATCH', action: { kind: 'status', status: 409 } });
    const { dir } = dirFor(s);
    const err = await failure(dir.grant('u-bob', 'viewer'));
    expect(err.code).toBe('SCIM.CONFLICT');
    expect(err.details?.applied).toBe(false);
  });
});

describe('5: a sent write whose read-back fails is unconfirmed, never "not applied"', () => {
  it('marks the error unconfirmed when the read after a landed write fails', async () => {
    const s = await start({
      faults: { afterWrite: [{ method: 'GET', times: 10, action: { kind: 'status', status: 500 } }] },
    });
    const { dir } = dirFor(s);
    const err = await failure(dir.grant('u-bob', 'admin'));
    expect(err.details?.unconfirmed).toBe(true);
    expect(sorted(s.state.members('Admins'))).toEqual(['u-alice', 'u-bob', 'u-carol']);
  });
});

describe('6: case-sensitive servers', () => {
  it('finds Jo.Nguyen@X.com from a lower-case address, and calls two case variants ambiguous', async () => {
    const s = await start({
      users: [{ id: 'u-jo', userName: 'Jo.Nguyen@X.com', emails: ['Jo.Nguyen@X.com'] }],
      groups: [],
      faults: { caseSensitiveFilters: true },
    });
    const { dir } = dirFor(s);
    expect((await dir.findUserByEmail('jo.nguyen@x.com'))?.id).toBe('u-jo');
    expect((await dir.findUserByUserName('jo.nguyen@x.com'))?.id).toBe('u-jo');
    s.state.addUser({ id: 'u-jo2', userName: 'Jo.Nguyen@x.com', emails: ['Jo.Nguyen@x.com'] });
    expect((await failure(dir.findUserByEmail('jo.nguyen@x.com'))).code).toBe('SCIM.AMBIGUOUS');
  });
});

describe('7: deactivated targets', () => {
  it('refuses a grant to an inactive user without writing, and still allows a revoke', async () => {
    const s = await start();
    const { dir } = dirFor(s);
    expect((await failure(dir.grant('u-dora', 'admin'))).code).toBe('SCIM.INACTIVE_USER');
    expect(s.requests.some((r) => r.method === 'PATCH')).toBe(false);
    expect(sorted(s.state.members('Admins'))).toEqual(['u-alice', 'u-carol']);
    expect(await dir.revoke('u-dora', 'viewer')).toMatchObject({ changed: true, after: [] });
    expect(s.state.members('Viewers')).toEqual(['u-alice']);
  });
});

describe('9: one odd value does not downgrade a capability for the process', () => {
  it('keeps the widest name search after one data-dependent 400', async () => {
    const s = await start();
    s.faults.rules.push({ method: 'GET', path: '/Users', action: { kind: 'status', status: 400 } });
    const { dir } = dirFor(s);
    await dir.searchUsersByName('odd', 5);
    s.requests.length = 0;
    expect((await dir.searchUsersByName('caro', 5)).map((u) => u.id)).toEqual(['u-carol']);
    expect(s.requests[0]?.filter).toContain('name.givenName sw "caro"');
  });

  it('keeps a membership filter form after one user id was refused, once its control still passes', async () => {
    const s = await start({ faults: { userGroups: false } });
    const { dir } = dirFor(s);
    expect(await dir.getRoles('u-alice')).toEqual(['admin', 'viewer']);
    let armed = true;
    s.faults.onRequest = (r) => {
      if (armed && r.filter?.includes('"u-bob"')) {
        armed = false;
        s.faults.rules.push({ method: 'GET', path: '/Groups', action: { kind: 'status', status: 400 } });
      }
    };
    expect(await dir.getRoles('u-bob')).toEqual([]);
    s.requests.length = 0;
    expect(await dir.getRoles('u-carol')).toEqual(['admin']);
    const filters = s.requests.filter((r) => r.path === '/Groups').map((r) => r.filter);
    expect(filters.every((f) => f?.includes('members[value eq "u-carol"]'))).toBe(true);
  });
});
