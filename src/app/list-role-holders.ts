import { isRolecallError } from '../core/errors.ts';
import { canView } from '../core/policy.ts';
import type { Card } from '../ports/chat.ts';
import type { AppDeps } from './deps.ts';
import type { Person } from './identify.ts';
import {
  holdersAnswer,
  holdersNotFilterable,
  holdersUnavailable,
  notAllowedToView,
  withHelpers,
} from './messages.ts';
import { helpersFor } from './show-help.ts';

/** At most this many names are shown; a bigger group gets "and more". */
export const HOLDERS_SHOWN = 20;

/**
 * "Who are the admins?": the holders of one role, for people who may see others' roles. One read
 * of that role's group, or one search filtered by the role (roles model), never a directory listing.
 */
export async function listRoleHolders(deps: AppDeps, person: Person, role: string): Promise<Card> {
  const tenant = person.tenant;
  if (!canView(tenant, person.roles, false)) return withHelpers(notAllowedToView(), helpersFor(tenant));
  const dir = deps.directories.forTenant(tenant.id);
  if (!dir.roleHolders) return holdersUnavailable(role);
  // A server that cannot filter by role is not asked for everyone instead: fail closed, say why.
  const holders = await dir.roleHolders(role, HOLDERS_SHOWN + 1).catch((err: unknown) => {
    if (isRolecallError(err, 'SCIM.BAD_REQUEST')) return undefined;
    throw err;
  });
  if (!holders) return holdersNotFilterable(role);
  // Servers may leave out members' `display` (RFC 7643 §4.2): those few are read by id.
  const names = await Promise.all(
    holders.slice(0, HOLDERS_SHOWN).map(async (h) => {
      if (h.displayName) return h.displayName;
      const u = await dir.getUser(h.id).catch(() => undefined);
      return u?.displayName ?? u?.userName ?? h.id;
    }),
  );
  return holdersAnswer(role, names, holders.length > HOLDERS_SHOWN);
}
