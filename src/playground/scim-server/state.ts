import { randomUUID } from 'node:crypto';

/** The directory held by the test SCIM server: plain JSON resources plus a version each. */

export interface SeedUser {
  id?: string;
  userName: string;
  displayName?: string;
  name?: { givenName?: string; familyName?: string; formatted?: string };
  emails?: (string | { value: string; primary?: boolean; type?: string })[];
  externalId?: string;
  active?: boolean;
  roles?: (string | { value: string; display?: string })[];
  title?: string;
  /** Any other attribute, e.g. an extension object keyed by its schema URN. */
  [attribute: string]: unknown;
}

export interface SeedGroup {
  id?: string;
  displayName: string;
  /** User ids, or userNames of seeded users. */
  members?: string[];
}

export type Resource = Record<string, unknown> & { id: string };

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export class ScimState {
  readonly users = new Map<string, Resource>();
  readonly groups = new Map<string, Resource>();
  readonly versions = new Map<string, number>();

  addUser(seed: SeedUser): Resource {
    const { id, emails, roles, ...rest } = seed;
    const user: Resource = {
      ...rest,
      id: id ?? randomUUID(),
      active: seed.active ?? true,
      ...(emails
        ? {
            emails: emails.map((e, i) =>
              typeof e === 'string' ? { value: e, type: 'work', primary: i === 0 } : { ...e },
            ),
          }
        : {}),
      ...(roles ? { roles: roles.map((r) => (typeof r === 'string' ? { value: r } : { ...r })) } : {}),
    };
    this.users.set(user.id, user);
    this.touch(user.id);
    return user;
  }

  addGroup(seed: SeedGroup): Resource {
    const group: Resource = {
      id: seed.id ?? randomUUID(),
      displayName: seed.displayName,
      members: (seed.members ?? []).map((m) => ({ value: this.userId(m) })),
    };
    this.groups.set(group.id, group);
    this.touch(group.id);
    return group;
  }

  /** A user id from an id or a userName. */
  userId(ref: string): string {
    if (this.users.has(ref)) return ref;
    for (const u of this.users.values()) if (u.userName === ref) return u.id;
    throw new Error(`no seeded user ${ref}`);
  }

  userByName(userName: string): Resource | undefined {
    for (const u of this.users.values())
      if (String(u.userName).toLowerCase() === userName.toLowerCase()) return u;
    return undefined;
  }

  groupByName(displayName: string): Resource | undefined {
    for (const g of this.groups.values())
      if (String(g.displayName).toLowerCase() === displayName.toLowerCase()) return g;
    return undefined;
  }

  /** Member ids of a group (by id or displayName), duplicates kept. */
  members(group: string): string[] {
    const g = this.groups.get(group) ?? this.groupByName(group);
    if (!g) throw new Error(`no group ${group}`);
    return ((g.members as { value: string }[]) ?? []).map((m) => m.value);
  }

  /** Group display names a user belongs to. */
  groupsOf(userRef: string): string[] {
    const id = this.userId(userRef);
    return [...this.groups.values()]
      .filter((g) => ((g.members as { value: string }[]) ?? []).some((m) => m.value === id))
      .map((g) => String(g.displayName));
  }

  /** Marks a resource as changed (new ETag), as a concurrent writer would. */
  touch(id: string): void {
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
  }

  etag(id: string): string {
    return `W/"${this.versions.get(id) ?? 0}"`;
  }
}
