import type { Identity } from '../core/identity.ts';
import type { Target } from '../core/intent.ts';
import type { Tenant } from '../core/policy-schema.ts';
import { mention, type RichText } from '../core/rich-text.ts';
import type { DirectoryUser } from '../ports/directory.ts';
import type { AppDeps } from './deps.ts';
import { directoryUserFor, identityOf, type Person } from './identify.ts';

export const MAX_CHOICES = 5;

export type Resolved =
  | { kind: 'one'; user: DirectoryUser; identity: Identity }
  | { kind: 'many'; name: string; candidates: DirectoryUser[] }
  | { kind: 'none'; what: RichText };

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
        return { kind: 'none', what: [mention(target.userId)] };
      const user = await directoryUserFor(deps, tenant, chatUser);
      return user
        ? { kind: 'one', user, identity: identityOf(chatUser, user) }
        : { kind: 'none', what: [mention(target.userId)] };
    }
    case 'email': {
      const user = await dir.findUserByEmail(target.email);
      return user
        ? { kind: 'one', user, identity: await withSlackUser(deps, tenant, user) }
        : { kind: 'none', what: target.email };
    }
    case 'name': {
      const found = await dir.searchUsersByName(target.name, MAX_CHOICES + 1);
      if (found.length === 0) return { kind: 'none', what: target.name };
      if (found.length === 1)
        return { kind: 'one', user: found[0]!, identity: await withSlackUser(deps, tenant, found[0]!) };
      return { kind: 'many', name: target.name, candidates: found.slice(0, MAX_CHOICES) };
    }
  }
}

export function fromDirectory(user: DirectoryUser): Identity {
  return { email: user.emails[0], scimId: user.id, displayName: user.displayName ?? user.userName };
}

/**
 * A target named by email or name, with their Slack account when the directory email finds one in
 * this tenant's workspace (users.lookupByEmail), so they are told and their App Home shows the
 * grant as for an @-mention. Without one (or if Slack cannot be asked) the request goes on as before.
 */
export async function withSlackUser(deps: AppDeps, tenant: Tenant, user: DirectoryUser): Promise<Identity> {
  const identity = fromDirectory(user);
  for (const email of user.emails.slice(0, 3)) {
    const found = await deps.chat.userByEmail(email).catch((err: unknown) => {
      deps.log.warn({ err }, 'could not look the target up in Slack by email');
      return undefined;
    });
    if (
      found &&
      !found.isBot &&
      !found.isDeleted &&
      !found.isStranger &&
      tenant.slack.teams.includes(found.teamId)
    )
      return { ...identity, slackUserId: found.id, slackTeamId: found.teamId };
  }
  return identity;
}
