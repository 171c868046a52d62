/**
 * Directory: one tenant's identity store (a SCIM 2.0 service provider), seen as users and the
 * catalogue roles they hold.
 *
 * Contract:
 * - Lookups return `undefined` when nobody matches, never list the whole directory, and throw
 *   `SCIM.AMBIGUOUS` only where the key must be unique (email, userName, externalId) yet several match.
 * - `getRoles` returns catalogue role names (keys of the tenant's `roles`), read fresh from the
 *   server every call: authorization depends on it.
 * - `grant`/`revoke` apply exactly one change to one user, idempotently: a grant of a held role or
 *   a revoke of an absent one sends no write and reports `changed: false`. After a write the state is
 *   read back; `before`/`after` are catalogue roles as observed (the written role always fresh; where
 *   membership can only be asked group by group, the other roles come from the read just before).
 * - Faults are `RolecallError`s with `SCIM.*` codes; a token never appears in a message.
 * - Rolecall never creates or deletes users or groups.
 */
export interface DirectoryUser {
  id: string;
  userName: string;
  displayName?: string;
  emails: string[];
  externalId?: string;
  active: boolean;
}

export interface RoleChangeResult {
  changed: boolean;
  before: string[];
  after: string[];
}

export interface Directory {
  findUserByEmail(email: string): Promise<DirectoryUser | undefined>;
  findUserByUserName(userName: string): Promise<DirectoryUser | undefined>;
  findUserByExternalId(externalId: string): Promise<DirectoryUser | undefined>;
  getUser(id: string): Promise<DirectoryUser | undefined>;
  /** People whose name matches (display name, given/family name, userName prefix); at most `limit`. */
  searchUsersByName(name: string, limit: number): Promise<DirectoryUser[]>;
  getRoles(userId: string): Promise<string[]>;
  grant(userId: string, role: string): Promise<RoleChangeResult>;
  revoke(userId: string, role: string): Promise<RoleChangeResult>;
  /**
   * Holders of one catalogue role, from one read of that role's group, or (roles on the user) one
   * search filtered by the role value (at most `limit`); never a listing of the directory. Rejects
   * with `SCIM.BAD_REQUEST` when the server cannot be trusted to filter by role (refused, or failed
   * its negative control). Optional: a directory that cannot answer in one read leaves it out.
   */
  roleHolders?(role: string, limit: number): Promise<{ id: string; displayName?: string }[]>;
  /** Connectivity and configuration check for `rolecall doctor`: every catalogue role resolves. */
  check(): Promise<{ ok: boolean; problems: string[] }>;
}

/** The directories of all tenants, by tenant id. */
export interface Directories {
  forTenant(tenantId: string): Directory;
}
