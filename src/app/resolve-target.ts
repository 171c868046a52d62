import type { Identity } from '../core/identity.ts';
import type { Target } from '../core/intent.ts';
import type { Tenant } from '../core/policy-schema.ts';
import type { DirectoryUser } from '../ports/directory.ts';
import type { AppDeps } from './deps.ts';
import { directoryUserFor, identityOf, type Person } from './identify.ts';

export const MAX_CHOICES = 5;

export type Resolved =
  | { kind: 'one'; user: DirectoryUser; identity: Identity }
  | { kind: 'many'; name: string; candidates: DirectoryUser[] }
  | { kind: 'none'; what: string };

/**
 * Finds the directory user a target names, only inside the requester's tenant. A Slack mention of
 * someone from another organisation resolves to nothing (never across tenants).
 */
export async function resolveTarget(
  deps: AppDeps,
  tenant: Tenant,
  requester: Person,
  target: Target,
): Promise<Resolved> {
  const dir = deps.directories.forTenant(tenant.id);
  switch (target.kind) {
    case 'me': {
      if (requester.kind !== 'member') return { kind: 'none', what: 'you' };
      return { kind: 'one', user: requester.user, identity: requester.identity };
    }
    case 'slack_user': {
      const chatUser = await deps.chat.userInfo(target.userId);
      if (!chatUser || chatUser.isBot || chatUser.isDeleted || !tenant.slack.teams.includes(chatUser.teamId))
        return { kind: 'none', what: `<@${target.userId}>` };
      const user = await directoryUserFor(deps, tenant, chatUser);
      return user
        ? { kind: 'one', user, identity: identityOf(chatUser, user) }
        : { kind: 'none', what: `<@${target.userId}>` };
    }
    case 'email': {
      const user = await dir.findUserByEmail(target.email);
      return user
        ? { kind: 'one', user, identity: fromDirectory(user) }
        : { kind: 'none', what: target.email };
    }
    case 'name': {
      const found = await dir.searchUsersByName(target.name, MAX_CHOICES + 1);
      if (found.length === 0) return { kind: 'none', what: target.name };
      if (found.length === 1) return { kind: 'one', user: found[0]!, identity: fromDirectory(found[0]!) };
      return { kind: 'many', name: target.name, candidates: found.slice(0, MAX_CHOICES) };
    }
  }
}

export function fromDirectory(user: DirectoryUser): Identity {
  return { email: user.emails[0], scimId: user.id, displayName: user.displayName ?? user.userName };
}
