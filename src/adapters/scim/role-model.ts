import type { ScimContext } from './context.ts';
import type { UserSnapshot } from './users.ts';

/** What one read of a user's roles saw, with the versions a following write should be guarded by. */
export interface RoleState {
  /** Catalogue role names held. */
  roles: string[];
  /** The user resource (roles and attribute models). */
  snap?: UserSnapshot;
  /** ETag per group id, where the read saw one (groups model). */
  groupVersions?: Map<string, string>;
}

/** How one tenant stores catalogue roles in SCIM. */
export interface RoleModel {
  read(userId: string): Promise<RoleState>;
  /** Sends the one PATCH that makes `role` held (grant) or not held (revoke), guarded by `state`. */
  write(userId: string, role: string, op: 'grant' | 'revoke', state: RoleState): Promise<void>;
  /**
   * Roles after a write of `role`, read fresh for that role. A model that reads membership one group
   * at a time re-reads only the written group and takes the others from `state`, the read made
   * moments before in the same change; without this method the whole state is read again.
   */
  readBack?(userId: string, role: string, state: RoleState): Promise<string[]>;
  /** Configuration problems `rolecall doctor` should show. */
  check(): Promise<string[]>;
  /** Forgets cached server facts (resolved group ids). */
  refresh(): void;
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * One PATCH, never with query parameters: some servers apply `attributes`/`excludedAttributes` to
 * the stored resource before patching (scimmy 1.3 drops every other group member that way), and
 * RFC 7644 §3.9 gives them no meaning on a write. A large answer body is dropped by the HTTP layer.
 */
export async function patch(
  ctx: ScimContext,
  path: string,
  operations: unknown[],
  ifMatch: string | undefined,
): Promise<void> {
  await ctx.http.send({
    method: 'PATCH',
    path,
    body: { schemas: [PATCH_OP], Operations: operations },
    ...(ifMatch ? { ifMatch } : {}),
  });
}

/** The value stored on the user for a role (roles and attribute models). */
export function roleValue(ctx: ScimContext, role: string): string {
  return ctx.tenant.roles[role]?.value ?? role;
}
