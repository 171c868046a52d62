import { describe, expect, it } from 'vitest';
import type { ScimServer } from '../support/scim-server.ts';
import { failure, makeDirectory, serverPerTest } from './helpers.ts';

/**
 * Issue 16, "who are the admins?": one read of the role's group (groups model) or one search
 * filtered by the role value (roles model, RFC 7644 §3.4.2.2), never a listing of users.
 */
const TOKEN = 'role-holders-token';
const start = serverPerTest();

describe('roleHolders', () => {
  it('reads the members of the role’s group in one GET of that group', async () => {
    const server = await start({
      token: TOKEN,
      users: [
        { id: 'u-alice', userName: 'alice', emails: ['alice@example.com'] },
        { id: 'u-bob', userName: 'bob', emails: ['bob@example.com'] },
        { id: 'u-carol', userName: 'carol', emails: ['carol@example.com'] },
      ],
      groups: [
        { id: 'g-admins', displayName: 'Admins', members: ['alice', 'bob'] },
        { id: 'g-viewers', displayName: 'Viewers', members: ['carol'] },
      ],
    });
    const { dir } = makeDirectory(server.baseUrl, {
      token: TOKEN,
      roles: { admin: { groupId: 'g-admins' } },
    });
    const holders = await dir.roleHolders!('admin', 10);
    expect(holders.map((h) => h.id).sort()).toEqual(['u-alice', 'u-bob']);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /Groups/g-admins']);
    expect(server.requests.some((r) => r.path === '/Users')).toBe(false);
    expect(await dir.roleHolders!('admin', 1)).toHaveLength(1);
  });

  it('roles model: one search filtered by the role value, its form proven by a negative control first', async () => {
    const server = await start({ token: TOKEN, users: ROLE_USERS });
    const { dir } = makeDirectory(server.baseUrl, ROLES_MODEL);
    const holders = await dir.roleHolders!('admin', 10);
    expect(holders.map((h) => h.id).sort()).toEqual(['u-alice', 'u-bob']);
    expect(holders.find((h) => h.id === 'u-alice')?.displayName).toBe('Alice A');
    expect(userFilters(server)).toEqual([
      'roles[value eq "rolecall-negative-control-0000"]',
      'roles[value eq "admin"]',
    ]);
    // Proven once: the next question is one request.
    expect((await dir.roleHolders!('viewer', 10)).map((h) => h.id)).toEqual(['u-carol']);
    expect(userFilters(server).slice(2)).toEqual(['roles[value eq "viewer"]']);
  });

  it('roles model: a server refusing value paths is asked `roles.value eq`, proven by its own control', async () => {
    const server = await start({
      token: TOKEN,
      users: ROLE_USERS,
      faults: { unsupportedOperators: ['[]'] },
    });
    const { dir } = makeDirectory(server.baseUrl, ROLES_MODEL);
    expect((await dir.roleHolders!('admin', 10)).map((h) => h.id).sort()).toEqual(['u-alice', 'u-bob']);
    expect(userFilters(server).slice(-2)).toEqual([
      'roles.value eq "rolecall-negative-control-0000"',
      'roles.value eq "admin"',
    ]);
  });

  it('roles model: a server that ignores the filter fails closed at the negative control, naming no one', async () => {
    const server = await start({ token: TOKEN, users: ROLE_USERS, faults: { ignoreFilters: true } });
    const { dir } = makeDirectory(server.baseUrl, ROLES_MODEL);
    expect((await failure(dir.roleHolders!('admin', 10))).code).toBe('SCIM.BAD_REQUEST');
    // Only the two controls ran; the role itself was never asked for, nothing was listed unfiltered.
    expect(userFilters(server)).toEqual([
      'roles[value eq "rolecall-negative-control-0000"]',
      'roles.value eq "rolecall-negative-control-0000"',
    ]);
  });

  it('roles model: a server that cannot filter on roles fails closed (never a listing instead)', async () => {
    const server = await start({
      token: TOKEN,
      users: ROLE_USERS,
      faults: { unsupportedAttributes: ['roles', 'roles.value'] },
    });
    const { dir } = makeDirectory(server.baseUrl, ROLES_MODEL);
    expect((await failure(dir.roleHolders!('admin', 10))).code).toBe('SCIM.BAD_REQUEST');
    expect(server.requests.filter((r) => r.path === '/Users' && !r.query.filter)).toEqual([]);
  });

  it('roles model: a role outside the catalogue is not searched for', async () => {
    const server = await start({ token: TOKEN, users: ROLE_USERS });
    const { dir } = makeDirectory(server.baseUrl, ROLES_MODEL);
    expect((await failure(dir.roleHolders!('root', 10))).code).toBe('SCIM.UNKNOWN_ROLE');
    expect(server.requests).toEqual([]);
  });

  it('is absent where the role is one single-valued attribute', () => {
    const { dir } = makeDirectory('http://127.0.0.1:9/scim/v2', {
      scim: { roleModel: 'attribute', attributePath: 'title' },
    });
    expect(dir.roleHolders).toBeUndefined();
  });
});

const ROLE_USERS = [
  {
    id: 'u-alice',
    userName: 'alice',
    displayName: 'Alice A',
    emails: ['alice@example.com'],
    roles: ['admin'],
  },
  { id: 'u-bob', userName: 'bob', emails: ['bob@example.com'], roles: ['admin', 'editor'] },
  { id: 'u-carol', userName: 'carol', emails: ['carol@example.com'], roles: ['viewer'] },
  { id: 'u-dave', userName: 'dave', emails: ['dave@example.com'] },
];
const ROLES_MODEL = {
  token: TOKEN,
  scim: { roleModel: 'roles' },
  roles: { viewer: {}, editor: {}, admin: {} },
};

/** The filters of every /Users search, in order. */
function userFilters(s: ScimServer): string[] {
  return s.requests.filter((r) => r.path === '/Users').map((r) => String(r.query.filter));
}
