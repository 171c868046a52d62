import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scim } from '@better-auth/scim';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { toNodeHandler } from 'better-auth/node';

/**
 * A real Better Auth server with the @better-auth/scim plugin on 127.0.0.1, backed by the memory
 * adapter. The SCIM token is issued the way the plugin intends for runtime connections: its
 * managed connection catalog (`auth.api.createSCIMManagedConnection`) returns the raw bearer token
 * once. Users and groups are seeded through the SCIM API itself, as a directory would.
 *
 * What this server supports (checked against @better-auth/scim 1.7.5):
 * - Users and Groups; GET by id, list with `startIndex`/`count` (count capped at 100).
 * - Filters: only `eq`, joined by `and`; User attributes id, userName, externalId, emails.value;
 *   Group attributes id, displayName, externalId. userName/email/displayName match case-insensitively.
 *   `emails[value eq …]`, `co`/`sw`/`or` and any members filter are refused with 400 invalidFilter.
 * - Group PATCH: add `members`, remove `members[value eq "id"]` or `members` with values. PATCH always 200 + body.
 * - User PATCH: `roles` add/replace/remove, but no `roles[value eq …]` path (400 invalidPath);
 *   single-valued `title` and Enterprise attributes (e.g. `…:enterprise:2.0:User:department`).
 * - No `groups` attribute on Users, no ETags, no Basic auth.
 */

export interface BetterAuthSeedUser {
  userName: string;
  displayName?: string;
  name?: { givenName?: string; familyName?: string; formatted?: string };
  emails?: string[];
  externalId?: string;
  active?: boolean;
  roles?: string[];
  title?: string;
}

export interface BetterAuthSeedGroup {
  displayName: string;
  /** userNames of seeded users. */
  members?: string[];
}

export interface BetterAuthScim {
  /** SCIM base URL, e.g. http://127.0.0.1:1234/api/auth/scim/v2 */
  baseUrl: string;
  token: string;
  /** SCIM ids by userName, and by group displayName. */
  userIds: Map<string, string>;
  groupIds: Map<string, string>;
  /** Sends one authenticated SCIM request (for setup and inspection in tests). */
  scim(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  createUser(u: BetterAuthSeedUser): Promise<string>;
  createGroup(g: BetterAuthSeedGroup): Promise<string>;
  /** Member SCIM ids of a group, read through the SCIM API. */
  members(displayName: string): Promise<string[]>;
  close(): Promise<void>;
}

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export async function startBetterAuthScim(
  o: { users?: BetterAuthSeedUser[]; groups?: BetterAuthSeedGroup[] } = {},
): Promise<BetterAuthScim> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const db: Record<string, unknown[]> = {};
  const auth = betterAuth({
    baseURL: origin,
    secret: randomBytes(32).toString('hex'),
    database: memoryAdapter(db),
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { disabled: true },
    plugins: [
      scim({
        connections: [],
        managedConnections: { credentialHashSecret: randomBytes(32).toString('hex') },
      }),
    ],
  });
  // The memory adapter needs every model's table to exist before the first query.
  const context = await auth.$context;
  for (const [key, table] of Object.entries(context.tables)) db[table.modelName ?? key] ??= [];
  handler = toNodeHandler(auth);

  const created = await auth.api.createSCIMManagedConnection({
    body: {
      creationRequestId: `rolecall-test-${randomUUID()}`,
      provisioningDomainId: 'rolecall-test',
      actorId: 'rolecall-test-harness',
      scopes: ['scim.users.read', 'scim.users.write', 'scim.groups.read', 'scim.groups.write'],
      expiresAt: new Date(Date.now() + 24 * 3_600_000),
    },
  });
  const token = created.token;
  const baseUrl = `${origin}/api/auth/scim/v2`;

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  const userIds = new Map<string, string>();
  const groupIds = new Map<string, string>();

  async function createUser(u: BetterAuthSeedUser): Promise<string> {
    const res = await call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: u.userName,
      ...(u.displayName ? { displayName: u.displayName } : {}),
      ...(u.name ? { name: u.name } : {}),
      ...(u.emails
        ? {
            emails: u.emails.map((value, i) => ({
              value,
              type: i === 0 ? 'work' : 'other',
              primary: i === 0,
            })),
          }
        : {}),
      ...(u.externalId ? { externalId: u.externalId } : {}),
      ...(u.active === undefined ? {} : { active: u.active }),
      ...(u.roles ? { roles: u.roles.map((value) => ({ value })) } : {}),
      ...(u.title ? { title: u.title } : {}),
    });
    if (res.status !== 201)
      throw new Error(`seeding user ${u.userName}: ${res.status} ${JSON.stringify(res.body)}`);
    const id = (res.body as { id: string }).id;
    userIds.set(u.userName, id);
    return id;
  }

  async function createGroup(g: BetterAuthSeedGroup): Promise<string> {
    const members = (g.members ?? []).map((name) => {
      const id = userIds.get(name);
      if (!id) throw new Error(`group ${g.displayName}: no seeded user ${name}`);
      return { value: id };
    });
    const res = await call('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: g.displayName,
      members,
    });
    if (res.status !== 201)
      throw new Error(`seeding group ${g.displayName}: ${res.status} ${JSON.stringify(res.body)}`);
    const id = (res.body as { id: string }).id;
    groupIds.set(g.displayName, id);
    return id;
  }

  for (const u of o.users ?? []) await createUser(u);
  for (const g of o.groups ?? []) await createGroup(g);

  return {
    baseUrl,
    token,
    userIds,
    groupIds,
    scim: call,
    createUser,
    createGroup,
    async members(displayName) {
      const id = groupIds.get(displayName);
      if (!id) throw new Error(`no group ${displayName}`);
      const res = await call('GET', `/Groups/${id}`);
      return ((res.body as { members?: { value: string }[] }).members ?? []).map((m) => m.value);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
