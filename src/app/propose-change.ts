import type { Identity } from '../core/identity.ts';
import type { RoleAction } from '../core/intent.ts';
import { canView, evaluate } from '../core/policy.ts';
import type { Tenant } from '../core/policy-schema.ts';
import { newRequest } from '../core/request.ts';
import type { ChatRef, RoleRequest } from '../core/request-record.ts';
import type { DirectoryUser } from '../ports/directory.ts';
import type { AppDeps } from './deps.ts';
import type { Person } from './identify.ts';
import { advance, createRequest } from './lifecycle.ts';
import {
  alreadyHas,
  confirmationCard,
  inactiveTarget,
  notLonger,
  notUnderstood,
  refusedCard,
} from './messages.ts';
import type { Reply } from './reply.ts';
import { runningGrant } from './running-grant.ts';
import { helpersFor } from './show-help.ts';

export interface ChangeAsk {
  action: RoleAction;
  role: string;
  durationMs?: number;
  until?: string;
  justification?: string;
  /** Lengthen the current time-bound grant: durationMs counts from its end. */
  extend?: true;
}

/**
 * Evaluates one change for one resolved target, records the request (awaiting confirmation, or
 * denied at once) and shows the requester the confirmation card. Nothing is applied here.
 */
export async function proposeChange(
  deps: AppDeps,
  ctx: { person: Person; tenant: Tenant; origin: ChatRef; reply: Reply; showDetails: boolean },
  target: { user: DirectoryUser; identity: Identity },
  ask: ChangeAsk,
): Promise<void> {
  const { person, tenant } = ctx;
  if (!tenant.roles[ask.role]) {
    await ctx.reply(notUnderstood('unknown_role', Object.keys(tenant.roles)));
    return;
  }
  // A deactivated account gets no new role (removing one stays possible); the directory refuses too.
  if (ask.action === 'grant' && !target.user.active) {
    await ctx.reply(inactiveTarget(target.identity.displayName ?? target.user.userName));
    return;
  }
  const now = deps.clock.now();
  let durationMs = ask.durationMs;
  if (ask.until) durationMs = Date.parse(ask.until) - now.getTime();
  if (durationMs !== undefined && durationMs <= 0) {
    await ctx.reply(notUnderstood('unclear', Object.keys(tenant.roles)));
    return;
  }
  const isSelf = person.kind === 'member' && person.user.id === target.user.id;
  // What the card may show of the target: only what "what roles does X have?" would answer.
  const mayView = canView(tenant, person.roles, isSelf);
  let extendsRequestId: string | undefined;
  let endsBy = ask.until;
  if (ask.extend) {
    if (ask.action !== 'grant' || durationMs === undefined) {
      await ctx.reply(notUnderstood('unclear', Object.keys(tenant.roles)));
      return;
    }
    // The policy then judges the whole continuous span (heldMs below), so maximum durations still hold.
    const current = await currentGrant(deps, tenant.id, target.user.id, ask.role, now);
    if (current && ask.until !== undefined && Date.parse(ask.until) <= Date.parse(current.grantEndsAt!)) {
      // Someone who may not see the person's roles learns nothing about their grant's end.
      await ctx.reply(notLonger(mayView ? current.grantEndsAt! : undefined));
      return;
    }
    if (current) {
      extendsRequestId = current.id;
      // "by 2 hours" counts from the current end; "until 6pm" is the new end itself.
      if (ask.until === undefined) {
        durationMs += Date.parse(current.grantEndsAt!) - now.getTime();
        endsBy = new Date(now.getTime() + durationMs).toISOString();
      }
    }
  }
  const dir = deps.directories.forTenant(tenant.id);
  const rolesBefore = await dir.getRoles(target.user.id);
  // Issue 16: told before any card, not after a confirmation that changes nothing. Only to someone
  // who may see the target's roles (issue 13.3): anyone else gets the card, which shows none.
  // A role held through a running time-bound grant is not "already had": a new grant continues it,
  // and the policy judges the continuous span below (issue 13.5).
  if (
    mayView &&
    ask.action === 'grant' &&
    !ask.extend &&
    rolesBefore.includes(ask.role) &&
    !(await currentGrant(deps, tenant.id, target.user.id, ask.role, now))
  ) {
    const name = isSelf ? 'You' : (target.identity.displayName ?? 'They');
    await ctx.reply(alreadyHas(name, ask.role));
    return;
  }
  const running =
    ask.action === 'grant' ? await runningGrant(deps, tenant.id, target.user.id, ask.role, now) : undefined;
  const decision = evaluate(tenant, {
    requester: { roles: person.roles, active: true, known: true, isOperator: person.kind === 'operator' },
    action: ask.action,
    target: { isRequester: isSelf, roles: rolesBefore, known: true },
    role: ask.role,
    durationMs,
    ...(running ? { heldMs: now.getTime() - Date.parse(running.since) } : {}),
  });
  // Asked while a grant runs: the new one ends where its span was judged, however long approval takes.
  if (running && decision.kind !== 'deny' && decision.durationMs !== undefined) {
    const judgedEnd = now.getTime() + decision.durationMs;
    if (endsBy === undefined || judgedEnd < Date.parse(endsBy)) endsBy = new Date(judgedEnd).toISOString();
  }
  const rolesAfter =
    ask.action === 'grant'
      ? [...new Set([...rolesBefore, ask.role])].sort()
      : rolesBefore.filter((r) => r !== ask.role);
  const request = newRequest({
    id: deps.ids.next(),
    tenantId: tenant.id,
    now,
    requester: person.identity,
    target: isSelf ? person.identity : target.identity,
    relayedBy: person.kind === 'operator' ? person.identity : undefined,
    action: ask.action,
    role: ask.role,
    durationMs: decision.kind === 'deny' ? durationMs : (decision.durationMs ?? durationMs),
    justification: ask.justification,
    extendsRequestId,
    endsBy,
    decision,
    origin: ctx.origin,
    running,
    // Confirming after the end that was asked for would grant a role only to take it away again.
    confirmationExpiresAt: new Date(
      Math.min(now.getTime() + deps.policy.timers.confirmationTtl, endsBy ? Date.parse(endsBy) : Infinity),
    ).toISOString(),
  });
  await createRequest(deps, request, { rolesBefore, actor: person.identity });

  if (decision.kind === 'deny') {
    deps.observer?.policyDenied?.(decision.reason);
    await advance(deps, request, { kind: 'confirm', audit: { rolesBefore } });
    // One message per refusal, saying who could help (issue 16); it shows no one's roles, whoever asked (issue 13.3).
    await ctx.reply(refusedCard(request, ctx.showDetails && mayView, mayView, helpersFor(tenant, ask.role)));
    return;
  }
  await ctx.reply(
    confirmationCard({
      request,
      ...(mayView ? { rolesBefore, rolesAfter } : {}),
      showDetails: ctx.showDetails && mayView,
      mayView,
    }),
  );
}

/** The person's time-bound grant of this role that is in force now and ends last, if any. */
async function currentGrant(
  deps: AppDeps,
  tenantId: string,
  scimId: string,
  role: string,
  now: Date,
): Promise<RoleRequest | undefined> {
  const applied = await deps.requests.find({ tenantId, targetScimId: scimId, role, states: ['applied'] });
  return applied
    .filter(
      (r) => r.action === 'grant' && r.grantEndsAt !== undefined && Date.parse(r.grantEndsAt) > now.getTime(),
    )
    .sort((a, b) => Date.parse(b.grantEndsAt!) - Date.parse(a.grantEndsAt!))[0];
}
