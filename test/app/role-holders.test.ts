import { afterEach, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../src/app/deps.ts';
import type { Person } from '../../src/app/identify.ts';
import { listRoleHolders } from '../../src/app/list-role-holders.ts';
import type { Tenant } from '../../src/core/policy-schema.ts';
import { makeDirectory } from '../scim/helpers.ts';
import { asMrkdwn } from '../support/card-text.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';

/**
 * Issue 16 §2, "who are the admins?" with roles on the user (`roles` attribute): the holders from one
 * search filtered by role, and a clear answer, not a fault and not a listing, where the server cannot
 * be trusted to filter.
 */
const TOKEN = 'holders-app-token';
let server: ScimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const USERS = [
  { id: 'u-ann', userName: 'ann', displayName: 'Ann Admin', emails: ['ann@example.com'], roles: ['admin'] },
  { id: 'u-bea', userName: 'bea', emails: ['bea@example.com'], roles: ['viewer'] },
];

async function ask(faults: Record<string, unknown> = {}) {
  server = await startScimServer({ token: TOKEN, users: USERS, faults });
  const { dir, tenant } = makeDirectory(server.baseUrl, {
    token: TOKEN,
    scim: { roleModel: 'roles' },
    roles: { viewer: {}, admin: {} },
  });
  const t: Tenant = { ...tenant, adminRoles: ['admin'] };
  const deps = { directories: { forTenant: () => dir } } as unknown as AppDeps;
  const person = { kind: 'member', tenant: t, roles: ['admin'] } as unknown as Person;
  return asMrkdwn(await listRoleHolders(deps, person, 'admin'));
}

describe('who holds a role, roles model', () => {
  it('names the holders found by the role filter', async () => {
    expect((await ask()).text).toBe('`admin`: Ann Admin.');
    expect(server!.requests.filter((r) => r.path === '/Users' && !r.query.filter)).toEqual([]);
  });

  it('a server that ignores filters gets a clear refusal, naming no one', async () => {
    const card = await ask({ ignoreFilters: true });
    expect(card.text).toMatch(/can't list who holds `admin`: this directory can't search people by role/);
    expect(card.text).not.toContain('Ann');
  });
});
