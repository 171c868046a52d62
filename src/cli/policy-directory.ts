import { findPerson } from '../app/identify.ts';
import type { PolicyInput } from '../core/policy.ts';
import type { Tenant } from '../core/policy-schema.ts';
import type { Directory, DirectoryUser } from '../ports/directory.ts';

/** A person as `policy explain --requester/--target EMAIL` found them in the tenant's directory. */
export interface DirectoryFacts {
  user: DirectoryUser;
  roles: string[];
}

/**
 * Looks a person up exactly the way the bot does (the tenant's `userLookup`; with `externalId` the
 * value is a Slack user id) and reads their catalogue roles fresh. `undefined` when nobody matches.
 */
export async function lookUp(
  tenant: Tenant,
  dir: Directory,
  who: string,
): Promise<DirectoryFacts | undefined> {
  const user = await findPerson(dir, tenant, who.includes('@') ? { email: who } : { slackUserId: who });
  if (!user) return undefined;
  return { user, roles: await dir.getRoles(user.id) };
}

export function describeFacts(label: string, email: string, f: DirectoryFacts): string {
  const name = f.user.displayName ? ` (${f.user.displayName})` : '';
  return `${label} ${email}${name}, SCIM id ${f.user.id}: ${f.user.active ? 'active' : 'INACTIVE'}, roles [${f.roles.join(', ') || 'none'}]`;
}

export interface DirectoryAsk {
  requester: string;
  /** self, other, or an email. */
  target: string;
  targetRoles?: string[];
}

/**
 * The policy input for `policy explain --requester EMAIL [--target EMAIL]`, from the directory as
 * it is now, with one line per person looked up; or the reason it cannot be built.
 */
export async function directoryInput(
  tenant: Tenant,
  dir: Directory,
  ask: DirectoryAsk,
  change: Pick<PolicyInput, 'action' | 'role' | 'durationMs'>,
): Promise<{ ok: true; input: PolicyInput; lines: string[] } | { ok: false; message: string }> {
  const notFound = (email: string) => ({
    ok: false as const,
    message: `no user ${email} in tenant ${tenant.id}'s directory`,
  });
  const requester = await lookUp(tenant, dir, ask.requester);
  if (!requester) return notFound(ask.requester);
  const lines = [describeFacts('requester', ask.requester, requester)];
  let target: { roles: string[]; isRequester: boolean };
  if (ask.target.includes('@')) {
    const found = await lookUp(tenant, dir, ask.target);
    if (!found) return notFound(ask.target);
    lines.push(describeFacts('target', ask.target, found));
    target = { roles: found.roles, isRequester: found.user.id === requester.user.id };
  } else if (ask.target === 'self') target = { roles: requester.roles, isRequester: true };
  else target = { roles: ask.targetRoles ?? [], isRequester: false };
  return {
    ok: true,
    lines,
    input: {
      requester: { roles: requester.roles, active: requester.user.active, known: true },
      action: change.action,
      target: { ...target, known: true },
      role: change.role,
      ...(change.durationMs === undefined ? {} : { durationMs: change.durationMs }),
    },
  };
}
