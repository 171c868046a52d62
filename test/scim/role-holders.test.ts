import { afterEach, describe, expect, it } from 'vitest';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';
import { makeDirectory } from './helpers.ts';

/** Issue 16, "who are the admins?": one read of the role's group, never a listing of users. */
const TOKEN = 'role-holders-token';
let server: ScimServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('roleHolders', () => {
  it('reads the members of the role’s group in one GET of that group', async () => {
    server = await startScimServer({
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

  it('is absent where roles live on the user (no single read can answer)', () => {
    const { dir } = makeDirectory('http://127.0.0.1:9/scim/v2', { scim: { roleModel: 'roles' } });
    expect(dir.roleHolders).toBeUndefined();
  });
});
