import type { Identity } from '../core/identity.ts';
import type { Tenant } from '../core/policy-schema.ts';
import type { ChatUser } from '../ports/chat.ts';
import type { Directory, DirectoryUser } from '../ports/directory.ts';
import { type AppDeps, tenantForSharedChannel, tenantForTeam } from './deps.ts';

/**
 * Who is acting, decided from Slack's verified sender and the tenant's directory, read fresh on
 * every call (authorization depends on it). Refusals are values so the caller can answer politely
 * without saying anything sensitive in the channel.
 */
export type Person =
  | {
      kind: 'member';
      tenant: Tenant;
      chatUser: ChatUser;
      user: DirectoryUser;
      identity: Identity;
      roles: string[];
    }
  | {
      /** A vendor support rep in one customer's shared channel: no roles in the customer directory. */
      kind: 'operator';
      tenant: Tenant;
      chatUser: ChatUser;
      identity: Identity;
      roles: string[];
    };

export type Refusal =
  | 'unknown_user'
  | 'bot'
  | 'deleted'
  | 'guest'
  | 'external'
  | 'wrong_tenant_channel'
  | 'not_in_directory'
  | 'inactive';

export type Identified = { ok: true; person: Person } | { ok: false; refusal: Refusal; chatUser?: ChatUser };

export function identityOf(chatUser: ChatUser, user?: DirectoryUser): Identity {
  return {
    slackUserId: chatUser.id,
    slackTeamId: chatUser.teamId,
    email: user?.emails[0] ?? chatUser.email,
    scimId: user?.id,
    displayName: user?.displayName ?? chatUser.realName ?? chatUser.name,
  };
}

/** Finds the directory user for a Slack user by the tenant's configured key. */
export async function directoryUserFor(
  deps: AppDeps,
  tenant: Tenant,
  chatUser: ChatUser,
): Promise<DirectoryUser | undefined> {
  return findPerson(deps.directories.forTenant(tenant.id), tenant, {
    slackUserId: chatUser.id,
    ...(chatUser.email ? { email: chatUser.email } : {}),
  });
}

/**
 * The one lookup of a person in a tenant's directory, by the tenant's configured key: the bot uses
 * it for every Slack user, `policy explain` for an email, so the CLI never finds someone the bot
 * would not. With `userLookup: externalId` the key is the Slack user id.
 */
export async function findPerson(
  dir: Directory,
  tenant: Tenant,
  key: { email?: string; slackUserId?: string },
): Promise<DirectoryUser | undefined> {
  switch (tenant.scim.userLookup) {
    case 'externalId':
      return key.slackUserId ? dir.findUserByExternalId(key.slackUserId) : undefined;
    case 'userName':
      return key.email ? dir.findUserByUserName(key.email) : undefined;
    default: {
      if (!key.email) return undefined;
      const user = await dir.findUserByEmail(key.email);
      // A secondary address (an alias, a shared mailbox) may be someone else's: primary only, unless told.
      const primary = user?.emails[0] ?? user?.userName;
      if (!user || tenant.scim.emailMatch === 'any') return user;
      return primary?.toLowerCase() === key.email.toLowerCase() ? user : undefined;
    }
  }
}

function isOperator(deps: AppDeps, u: ChatUser): boolean {
  const ops = deps.policy.operators;
  return ops.users.includes(u.id) && (ops.teams.length === 0 || ops.teams.includes(u.teamId));
}

/**
 * @param channelId where the message or click happened; in a tenant's shared channel only that
 *   tenant's own users and the vendor's operators are served.
 */
export async function identify(
  deps: AppDeps,
  userId: string,
  channelId: string | undefined,
): Promise<Identified> {
  const chatUser = await deps.chat.userInfo(userId);
  if (!chatUser) return { ok: false, refusal: 'unknown_user' };
  if (chatUser.isBot) return { ok: false, refusal: 'bot', chatUser };
  if (chatUser.isDeleted) return { ok: false, refusal: 'deleted', chatUser };
  if (chatUser.isStranger) return { ok: false, refusal: 'external', chatUser };
  if (chatUser.isRestricted) return { ok: false, refusal: 'guest', chatUser };

  const channelTenant = channelId ? tenantForSharedChannel(deps.policy, channelId) : undefined;
  const tenant = tenantForTeam(deps.policy, chatUser.teamId);
  if (!tenant) {
    // Operators act only inside the customer's own shared channel, never in DMs or elsewhere.
    if (channelTenant && isOperator(deps, chatUser))
      return {
        ok: true,
        person: {
          kind: 'operator',
          tenant: channelTenant,
          chatUser,
          identity: identityOf(chatUser),
          roles: [],
        },
      };
    return { ok: false, refusal: 'external', chatUser };
  }
  if (channelTenant && channelTenant.id !== tenant.id)
    return { ok: false, refusal: 'wrong_tenant_channel', chatUser };

  const user = await directoryUserFor(deps, tenant, chatUser);
  if (!user) return { ok: false, refusal: 'not_in_directory', chatUser };
  if (!user.active) return { ok: false, refusal: 'inactive', chatUser };
  const roles = await deps.directories.forTenant(tenant.id).getRoles(user.id);
  return {
    ok: true,
    person: { kind: 'member', tenant, chatUser, user, identity: identityOf(chatUser, user), roles },
  };
}
