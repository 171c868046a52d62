import { errorCode } from '../core/errors.ts';
import type { Intent, RoleChangeIntent } from '../core/intent.ts';
import { canView } from '../core/policy.ts';
import type { ChatRef } from '../core/request-record.ts';
import { encodeChoice } from './choice.ts';
import { type AppDeps, tenantForTeam } from './deps.ts';
import { identify, type Person } from './identify.ts';
import { ACTIONS, type IncomingMessage } from './inbound.ts';
import { advanceFresh, audit } from './lifecycle.ts';
import {
  errorCard,
  filesNotRead,
  lookupAnswer,
  nameAmbiguous,
  notAllowedToView,
  nothingToCancel,
  notUnderstood,
  outcomeCard,
  refusalCard,
  rolesAnswer,
  targetNotFound,
  whichOne,
} from './messages.ts';
import { proposeChange } from './propose-change.ts';
import { isDmChannel, type Reply, replyTo } from './reply.ts';
import { inLogScope } from './request-log.ts';
import { resolveTarget } from './resolve-target.ts';

const MAX_INTENTS = 5;

/**
 * A mention, DM or /rolecall text. Retried deliveries are dropped by their id; every fault ends in
 * a plain reply with a reference id and nothing applied.
 */
export async function handleMessage(deps: AppDeps, msg: IncomingMessage): Promise<void> {
  const ref = deps.ids.next();
  // The tenant by team is a first guess for the log; identify() decides (shared channels, operators).
  const tenant = tenantForTeam(deps.policy, msg.userTeamId ?? msg.teamId)?.id;
  await inLogScope(deps, { ref, tenant, requesterId: msg.userId }, () => handle(deps, msg, ref));
}

async function handle(deps: AppDeps, msg: IncomingMessage, ref: string): Promise<void> {
  const isDm = isDmChannel(msg.channelId);
  // Where the outcome goes later (public, as the mention was): the mention's thread, which the
  // outcome post creates. Ephemeral replies go into a thread only if it exists already (Slack hides
  // them otherwise), i.e. when the mention was itself in a thread.
  const threadTs = msg.threadTs ?? (msg.source === 'command' ? undefined : msg.ts);
  const reply = replyTo(deps, {
    channelId: msg.channelId,
    userId: msg.userId,
    threadTs: msg.threadTs,
    isDm,
    responseUrl: msg.responseUrl,
    receivedAt: deps.clock.now().getTime(),
  });
  const log = deps.log.child({ channel: msg.channelId });
  try {
    if (msg.deliveryId && !(await deps.events.firstSeen(`msg:${msg.deliveryId}`, deps.clock.now()))) {
      log.info({ deliveryId: msg.deliveryId }, 'duplicate delivery ignored');
      return;
    }
    const who = await identify(deps, msg.userId, isDm ? undefined : msg.channelId);
    if (!who.ok) {
      log.info({ refusal: who.refusal }, 'sender refused');
      await reply(refusalCard(who.refusal));
      return;
    }
    const person = who.person;
    if (msg.files) {
      await reply(filesNotRead(msg.files));
      if (!msg.text.trim()) return;
    }
    const tenant = person.tenant;
    deps.logScope?.bind({ tenant: tenant.id });
    const extraction = await deps.extractor.extract({
      text: msg.text,
      roles: Object.keys(tenant.roles),
      timeZone: person.chatUser.tz,
      now: deps.clock.now(),
    });
    if (extraction.fallbackReason)
      log.warn({ reason: extraction.fallbackReason }, 'LLM unavailable; used the offline parser');
    const origin: ChatRef = { channelId: msg.channelId, ts: msg.ts, threadTs };
    const ctx = {
      person,
      tenant,
      origin,
      reply,
      showDetails: isDm || !tenant.slack.sharedChannels.includes(msg.channelId),
    };
    const intents = extraction.intents.slice(0, MAX_INTENTS);
    if (intents.length === 0) await reply(notUnderstood(undefined, Object.keys(tenant.roles)));
    // One scope per intent and per target: each request's lines carry its own id.
    for (const intent of intents) await inLogScope(deps, {}, () => handleIntent(deps, ctx, intent));
  } catch (err) {
    const code = errorCode(err);
    log.error({ err, code }, 'message handling failed');
    await reply(errorCard(code, ref)).catch((e) => log.warn({ err: e }, 'could not report the failure'));
  }
}

type Ctx = { person: Person; tenant: Person['tenant']; origin: ChatRef; reply: Reply; showDetails: boolean };

async function handleIntent(deps: AppDeps, ctx: Ctx, intent: Intent): Promise<void> {
  switch (intent.kind) {
    case 'none':
      return ctx.reply(notUnderstood(intent.reason, Object.keys(ctx.tenant.roles)));
    case 'cancel':
      return cancelLatest(deps, ctx);
    case 'get_roles':
    case 'lookup_user': {
      const found = await resolveTarget(deps, ctx.tenant, ctx.person, intent.target);
      if (found.kind === 'none') return ctx.reply(targetNotFound(found.what));
      if (found.kind === 'many')
        return ctx.reply(targetNotFound(`exactly one “${found.name}” (${found.candidates.length} match)`));
      const isSelf = ctx.person.kind === 'member' && ctx.person.user.id === found.user.id;
      if (!canView(ctx.tenant, ctx.person.roles, isSelf)) return ctx.reply(notAllowedToView());
      if (intent.kind === 'lookup_user')
        return ctx.reply(lookupAnswer(found.user, found.identity, ctx.showDetails));
      const roles = await deps.directories.forTenant(ctx.tenant.id).getRoles(found.user.id);
      return ctx.reply(rolesAnswer(found.identity, roles, ctx.showDetails));
    }
    case 'request_role_change':
      for (const target of intent.targets) {
        const found = await resolveTarget(deps, ctx.tenant, ctx.person, target);
        if (found.kind === 'none') await ctx.reply(targetNotFound(found.what));
        else if (found.kind === 'many')
          // Names and emails of the matches are what "what roles does X have?" would show: viewers only.
          await ctx.reply(
            canView(ctx.tenant, ctx.person.roles, false)
              ? whichOne(found.name, choiceButtons(ctx, intent, found.candidates))
              : nameAmbiguous(found.name),
          );
        else await inLogScope(deps, {}, () => proposeChange(deps, ctx, found, askOf(intent)));
      }
  }
}

function askOf(i: RoleChangeIntent) {
  return {
    action: i.action,
    role: i.role,
    durationMs: i.durationMs,
    until: i.until,
    justification: i.justification,
    ...(i.extend ? { extend: true as const } : {}),
  };
}

function choiceButtons(
  ctx: Ctx,
  intent: RoleChangeIntent,
  candidates: { id: string; displayName?: string; userName: string; emails: string[] }[],
) {
  return candidates.map((c) => ({
    actionId: ACTIONS.choose,
    text: `${c.displayName ?? c.userName}${ctx.showDetails && c.emails[0] ? ` (${c.emails[0]})` : ''}`,
    value: encodeChoice({
      requester: ctx.person.chatUser.id,
      targetScimId: c.id,
      origin: ctx.origin,
      ...askOf(intent),
    }),
  }));
}

async function cancelLatest(deps: AppDeps, ctx: Ctx): Promise<void> {
  const pending = await deps.requests.find({
    tenantId: ctx.tenant.id,
    requesterSlackUserId: ctx.person.chatUser.id,
    states: ['awaiting_confirmation', 'awaiting_approval'],
    limit: 1,
  });
  const latest = pending[0];
  if (!latest) return ctx.reply(nothingToCancel());
  const { request } = await advanceFresh(deps, latest.id, () => ({ kind: 'cancel' }));
  if (!request) return ctx.reply(nothingToCancel());
  await audit(deps, request, 'cancelled', { actor: ctx.person.identity });
  await ctx.reply(outcomeCard(request));
}
