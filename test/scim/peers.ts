import { startBetterAuthScim } from '../support/better-auth-scim.ts';
import { startScimServer } from '../support/scim-server.ts';
import { startScimmyScim } from '../support/scimmy-scim.ts';

/**
 * The three SCIM servers the directory contract runs against, seeded with the same people and
 * groups, each seen only through what the contract needs: ids, stored memberships and role values.
 * Stored state is read from each server's own store or API, never through the client under test.
 */

export interface SeedPerson {
  key: string;
  userName: string;
  displayName: string;
  emails: string[];
  externalId?: string;
  active?: boolean;
  roles?: string[];
  title?: string;
}

export const PEOPLE: SeedPerson[] = [
  {
    key: 'alice',
    userName: 'alice@example.com',
    displayName: 'Alice Smith',
    emails: ['alice@example.com'],
    externalId: 'ext-alice',
    roles: ['viewer', 'editor', 'unrelated'],
  },
  { key: 'bob', userName: 'bob@example.com', displayName: 'Bob Jones', emails: ['bob@example.com'] },
  {
    key: 'carol',
    userName: 'Carol.Case@Example.com',
    displayName: 'Carol Case',
    emails: ['Carol.Case@Example.com'],
    roles: ['admin'],
  },
  { key: 'dan1', userName: 'dan.one@example.com', displayName: 'Dan Twin', emails: ['dan.one@example.com'] },
  { key: 'dan2', userName: 'dan.two@example.com', displayName: 'Dan Twin', emails: ['dan.two@example.com'] },
  {
    key: 'ivan',
    userName: 'ivan@example.com',
    displayName: 'Ivan Inactive',
    emails: ['ivan@example.com'],
    active: false,
    roles: ['viewer'],
  },
];

/** Group display name → member keys. Alice is in two groups; Admins starts with one other member. */
export const GROUPS: Record<string, string[]> = {
  Admins: ['carol'],
  Editors: ['alice'],
  Viewers: ['alice', 'ivan'],
};

export interface Peer {
  name: 'embedded' | 'better-auth' | 'scimmy';
  baseUrl: string;
  token: string;
  id(key: string): string;
  /** Member ids of every group, sorted, as stored. */
  memberships(): Promise<Record<string, string[]>>;
  /** Every user's stored `roles` values (sorted), by key. */
  roleValues(): Promise<Record<string, string[]>>;
  /** Adds a stored `roles` value, as another admin would. */
  addRoleValue(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}

const sorted = (xs: string[]) => [...xs].sort();

export async function startPeer(name: Peer['name']): Promise<Peer> {
  if (name === 'embedded') {
    const s = await startScimServer({
      token: 'contract-token',
      users: PEOPLE.map(({ key: _key, ...u }) => u),
      groups: Object.entries(GROUPS).map(([displayName, keys]) => ({
        displayName,
        members: keys.map((k) => PEOPLE.find((p) => p.key === k)!.userName),
      })),
    });
    const id = (key: string) => s.state.userId(PEOPLE.find((p) => p.key === key)!.userName);
    return {
      name,
      baseUrl: s.baseUrl,
      token: 'contract-token',
      id,
      async memberships() {
        return Object.fromEntries(Object.keys(GROUPS).map((g) => [g, sorted(s.state.members(g))]));
      },
      async roleValues() {
        return Object.fromEntries(
          PEOPLE.map((p) => [
            p.key,
            sorted(((s.state.users.get(id(p.key))!.roles as { value: string }[]) ?? []).map((r) => r.value)),
          ]),
        );
      },
      async addRoleValue(key, value) {
        const u = s.state.users.get(id(key))!;
        u.roles = [...((u.roles as { value: string }[]) ?? []), { value }];
        s.state.touch(u.id);
      },
      close: () => s.close(),
    };
  }
  if (name === 'better-auth') {
    const ba = await startBetterAuthScim({
      users: PEOPLE.map(({ key: _key, ...u }) => u),
      groups: Object.entries(GROUPS).map(([displayName, keys]) => ({
        displayName,
        members: keys.map((k) => PEOPLE.find((p) => p.key === k)!.userName),
      })),
    });
    const id = (key: string) => ba.userIds.get(PEOPLE.find((p) => p.key === key)!.userName)!;
    const user = async (key: string) =>
      (await ba.scim('GET', `/Users/${id(key)}`)).body as { roles?: { value: string }[] };
    return {
      name,
      baseUrl: ba.baseUrl,
      token: ba.token,
      id,
      async memberships() {
        const out: Record<string, string[]> = {};
        for (const g of Object.keys(GROUPS)) out[g] = sorted(await ba.members(g));
        return out;
      },
      async roleValues() {
        const out: Record<string, string[]> = {};
        for (const p of PEOPLE) out[p.key] = sorted(((await user(p.key)).roles ?? []).map((r) => r.value));
        return out;
      },
      async addRoleValue(key, value) {
        const res = await ba.scim('PATCH', `/Users/${id(key)}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'add', path: 'roles', value: [{ value }] }],
        });
        if (res.status >= 300) throw new Error(`adding a role value: ${res.status}`);
      },
      close: () => ba.close(),
    };
  }
  const sc = await startScimmyScim({
    users: PEOPLE.map(({ key: _key, ...u }) => u),
    groups: Object.entries(GROUPS).map(([displayName, keys]) => ({
      displayName,
      members: keys.map((k) => PEOPLE.find((p) => p.key === k)!.userName),
    })),
  });
  const id = (key: string) => sc.userIds.get(PEOPLE.find((p) => p.key === key)!.userName)!;
  return {
    name,
    baseUrl: sc.baseUrl,
    token: sc.token,
    id,
    async memberships() {
      return Object.fromEntries(Object.keys(GROUPS).map((g) => [g, sorted(sc.members(g))]));
    },
    async roleValues() {
      return Object.fromEntries(
        PEOPLE.map((p) => [
          p.key,
          sorted(((sc.user(id(p.key)).roles as { value: string }[]) ?? []).map((r) => r.value)),
        ]),
      );
    },
    async addRoleValue(key, value) {
      const u = sc.user(id(key));
      sc.edit(id(key), { roles: [...((u.roles as { value: string }[]) ?? []), { value }] });
    },
    close: () => sc.close(),
  };
}
