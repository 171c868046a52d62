import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

/**
 * A SCIM server built the way the scimmy documentation shows (scimmy 1.3.5 + scimmy-routers 1.3.2 on
 * Express 4), on 127.0.0.1, with an in-memory store behind its ingress/egress handlers. The handlers
 * are the obvious ones a vendor writes: egress returns the stored resources matched by scimmy's own
 * `Filter.match`; ingress stores what scimmy hands over. Everything else is scimmy's behaviour:
 * - `eq` is compared exactly, also for userName and emails (RFC 7643 says case-insensitive);
 * - PATCH reads the resource with the request's `attributes`/`excludedAttributes` applied, patches
 *   that and writes it back (so `?excludedAttributes=members` on a group PATCH drops the members);
 * - value paths in filters (`emails[value eq …]`, `members[value eq …]`) and `or`/`co`/`sw` work;
 * - ServiceProviderConfig says patch and filter supported, ETags not; no `meta.version`.
 * Users carry `groups` (read-only, from memberships), as the scimmy User schema provides.
 *
 * scimmy's resource declarations are process-wide, so one peer runs per test file at a time.
 */

export interface ScimmySeedUser {
  userName: string;
  displayName?: string;
  name?: { givenName?: string; familyName?: string; formatted?: string };
  emails?: string[];
  externalId?: string;
  active?: boolean;
  roles?: string[];
  title?: string;
}

export interface ScimmySeedGroup {
  displayName: string;
  /** userNames of seeded users. */
  members?: string[];
}

export interface ScimmyScim {
  baseUrl: string;
  token: string;
  userIds: Map<string, string>;
  groupIds: Map<string, string>;
  createUser(u: ScimmySeedUser): Promise<string>;
  createGroup(g: ScimmySeedGroup): Promise<string>;
  /** Member ids of a group, from the store (not through SCIM). */
  members(displayName: string): string[];
  /** The stored user record (for assertions and concurrent edits). */
  user(id: string): Record<string, unknown>;
  /** Replaces stored fields of a user, as a concurrent writer would. */
  edit(id: string, fields: Record<string, unknown>): void;
  close(): Promise<void>;
}

type Rec = Record<string, unknown> & { id: string };

interface Store {
  users: Map<string, Rec>;
  groups: Map<string, Rec>;
}

let current: Store | undefined;
let declared = false;

const store = (): Store => {
  if (!current) throw new Error('scimmy peer is not running');
  return current;
};

function groupsOf(userId: string) {
  return [...store().groups.values()]
    .filter((g) => ((g.members as { value: string }[]) ?? []).some((m) => m.value === userId))
    .map((g) => ({ value: g.id, display: g.displayName, type: 'direct' }));
}

function userOut(u: Rec): Rec {
  return { ...structuredClone(u), groups: groupsOf(u.id) };
}

/** What a straightforward egress handler does: by id, else everything matched by scimmy's filter. */
function egress(kind: 'users' | 'groups') {
  return (resource: { id?: string; filter?: { match(values: unknown[]): unknown[] } }) => {
    const all = [...store()[kind].values()].map((r) => (kind === 'users' ? userOut(r) : structuredClone(r)));
    if (resource.id) {
      const one = all.find((r) => r.id === resource.id);
      if (!one) throw new SCIMMY.Types.Error(404, null as never, `Resource ${resource.id} not found`);
      return one;
    }
    return resource.filter ? resource.filter.match(all) : all;
  };
}

function ingress(kind: 'users' | 'groups') {
  return (resource: { id?: string }, instance: Record<string, unknown>) => {
    const data = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
    delete data.schemas;
    delete data.meta;
    delete data.groups;
    const id = resource.id ?? randomUUID();
    if (resource.id && !store()[kind].has(id))
      throw new SCIMMY.Types.Error(404, null as never, `Resource ${id} not found`);
    const rec = { ...data, id } as Rec;
    if (kind === 'groups')
      rec.members = ((data.members as { value: string }[] | undefined) ?? []).map((m) => ({
        value: m.value,
      }));
    store()[kind].set(id, rec);
    return kind === 'users' ? userOut(rec) : structuredClone(rec);
  };
}

function declareOnce(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Config.set({ patch: true, filter: 200, sort: false, bulk: false, changePassword: false });
  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    // scimmy's handler types name its own schema classes; these handlers work on plain JSON.
    .egress(egress('users') as never)
    .ingress(ingress('users') as never)
    .degress((r: { id?: string }) => void store().users.delete(r.id ?? ''));
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .egress(egress('groups') as never)
    .ingress(ingress('groups') as never)
    .degress((r: { id?: string }) => void store().groups.delete(r.id ?? ''));
}

export async function startScimmyScim(
  o: { users?: ScimmySeedUser[]; groups?: ScimmySeedGroup[] } = {},
): Promise<ScimmyScim> {
  if (current) throw new Error('one scimmy peer per process at a time');
  current = { users: new Map(), groups: new Map() };
  declareOnce();
  const token = `scimmy-${randomUUID()}`;
  const app = express();
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      docUri: 'https://example.com/help/scim.html',
      handler: (req: { header(name: string): string | undefined }) => {
        if (req.header('Authorization') !== `Bearer ${token}`) throw new Error('Authorization failed');
        return 'rolecall-test';
      },
      context: () => ({}),
    }),
  );
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;

  async function call(method: string, path: string, body: unknown) {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id: string } };
  }

  const userIds = new Map<string, string>();
  const groupIds = new Map<string, string>();
  async function createUser(u: ScimmySeedUser): Promise<string> {
    const res = await call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: u.userName,
      ...(u.displayName ? { displayName: u.displayName } : {}),
      ...(u.name ? { name: u.name } : {}),
      ...(u.emails
        ? { emails: u.emails.map((value, i) => ({ value, type: 'work', primary: i === 0 })) }
        : {}),
      ...(u.externalId ? { externalId: u.externalId } : {}),
      active: u.active ?? true,
      ...(u.roles ? { roles: u.roles.map((value) => ({ value })) } : {}),
      ...(u.title ? { title: u.title } : {}),
    });
    if (res.status !== 201)
      throw new Error(`seeding ${u.userName}: ${res.status} ${JSON.stringify(res.body)}`);
    userIds.set(u.userName, res.body.id);
    return res.body.id;
  }
  async function createGroup(g: ScimmySeedGroup): Promise<string> {
    const res = await call('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: g.displayName,
      members: (g.members ?? []).map((n) => ({ value: userIds.get(n) ?? n })),
    });
    if (res.status !== 201)
      throw new Error(`seeding ${g.displayName}: ${res.status} ${JSON.stringify(res.body)}`);
    groupIds.set(g.displayName, res.body.id);
    return res.body.id;
  }
  for (const u of o.users ?? []) await createUser(u);
  for (const g of o.groups ?? []) await createGroup(g);

  return {
    baseUrl,
    token,
    userIds,
    groupIds,
    createUser,
    createGroup,
    members(displayName) {
      const g = store().groups.get(groupIds.get(displayName) ?? '');
      if (!g) throw new Error(`no group ${displayName}`);
      return ((g.members as { value: string }[]) ?? []).map((m) => m.value);
    },
    user: (id) => structuredClone(store().users.get(id)!),
    edit(id, fields) {
      const u = store().users.get(id);
      if (!u) throw new Error(`no user ${id}`);
      Object.assign(u, fields);
    },
    close: () =>
      new Promise<void>((r) => {
        current = undefined;
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
