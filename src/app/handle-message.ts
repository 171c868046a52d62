import { formatDuration } from '../core/duration.ts';
import { errorCode } from '../core/errors.ts';
import type { Intent, RoleChangeIntent, Target } from '../core/intent.ts';
import { canView } from '../core/policy.ts';
import type { ChatRef } from '../core/request-record.ts';
import { code, mention, type RichText, rich } from '../core/rich-text.ts';
import type { Extraction, ExtractionInput } from '../ports/intent-extractor.ts';
import { encodeChoice } from './choice.ts';
import { type AppDeps, tenantForTeam } from './deps.ts';
import { identify, type Person } from './identify.ts';
import { ACTIONS, type FormOpener, type IncomingMessage } from './inbound.ts';
import { advanceFresh } from './lifecycle.ts';
import { listRoleHolders } from './list-role-holders.ts';
import {
  didYouMean,
  errorCard,
  FORM_LEADS,
  filesNotRead,
  formOffer,
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
  withHelpers,
} from './messages.ts';
import { proposeChange } from './propose-change.ts';
import { type Reply, replyTo } from './reply.ts';
import {
  type FormSubmission,
  formButton,
  intentOfSubmission,
  prefillOf,
  requestForm,
} from './request-form.ts';
import { inLogScope } from './request-log.ts';
import { MAX_CHOICES, resolveTarget } from './resolve-target.ts';
import { helpersFor, nearRoles, showHelp } from './show-help.ts';

const MAX_INTENTS = 5;

/**
 * A mention, DM or /rolecall text. Retried deliveries are dropped by their id; every fault ends in
 * a plain reply with a reference id and nothing applied.
 */
export async function handleMessage(
  deps: AppDeps,
  msg: IncomingMessage,
  openForm?: FormOpener,
): Promise<void> {
  const ref = deps.ids.next();
  // The tenant by team is a first guess for the log; identify() decides (shared channels, operators).
  const tenant = tenantForTeam(deps.policy, msg.userTeamId ?? msg.teamId)?.id;
  await inLogScope(deps, { ref, tenant, requesterId: msg.userId }, () =>
    handle(deps, msg, ref, (input) => deps.extractor.extract(input), openForm),
  );
}

/** A submitted request form: handled exactly as the typed request it stands for. */
export async function submitRequestForm(deps: AppDeps, s: FormSubmission): Promise<void> {
  const ref = deps.ids.next();
  const msg: IncomingMessage = {
    source: 'command',
    isDm: s.isDm === true,
    teamId: s.clicker.teamId,
    channelId: s.channelId,
    userId: s.clicker.userId,
    text: '',
    ...(s.threadTs ? { threadTs: s.threadTs } : {}),
    ...(s.responseUrl ? { responseUrl: s.responseUrl } : {}),
  };
  const tenant = tenantForTeam(deps.policy, s.clicker.teamId)?.id;
  await inLogScope(deps, { ref, tenant, requesterId: s.clicker.userId }, () =>
    handle(deps, msg, ref, async () => ({ intents: [intentOfSubmission(s)], source: 'offline' })),
  );
}

async function handle(
  deps: AppDeps,
  msg: IncomingMessage,
  ref: string,
  extract: (input: ExtractionInput) => Promise<Extraction>,
  openForm?: FormOpener,
): Promise<void> {
  const isDm = msg.isDm;
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
    const extraction = await extract({
      text: msg.text,
      roles: Object.keys(tenant.roles),
      timeZone: person.chatUser.tz,
      now: deps.clock.now(),
    });
    if (extraction.fallbackReason)
      log.warn({ reason: extraction.fallbackReason }, 'LLM unavailable; used the offline parser');
    const origin: ChatRef = { channelId: msg.channelId, isDm, ts: msg.ts, threadTs };
    const ctx = {
      person,
      tenant,
      origin,
      reply,
      showDetails: isDm || !tenant.slack.sharedChannels.includes(msg.channelId),
      ...(openForm ? { openForm: once(openForm) } : {}),
      ...(msg.responseUrl ? { responseUrl: msg.responseUrl } : {}),
    };
    const intents = extraction.intents.slice(0, MAX_INTENTS);
    if (intents.length === 0) await offerForm(ctx, undefined, FORM_LEADS.not_understood);
    // One scope per intent and per target: each request's lines carry its own id.
    for (const intent of intents) await inLogScope(deps, {}, () => handleIntent(deps, ctx, intent));
  } catch (err) {
    const code = errorCode(err);
    log.error({ err, code }, 'message handling failed');
    await reply(errorCard(code, ref)).catch((e) => log.warn({ err: e }, 'could not report the failure'));
  }
}

type Ctx = {
  person: Person;
  tenant: Person['tenant'];
  origin: ChatRef;
  reply: Reply;
  showDetails: boolean;
  /** The slash command's trigger, usable once: the first form offered opens without a button. */
  openForm?: FormOpener;
  responseUrl?: string;
};

/** A trigger_id is single use: only the first call may try it, later ones get false (the button). */
function once(open: FormOpener): FormOpener {
  let used = false;
  return (form) => {
    if (used) return Promise.resolve(false);
    used = true;
    return open(form);
  };
}

async function handleIntent(deps: AppDeps, ctx: Ctx, intent: Intent): Promise<void> {
  switch (intent.kind) {
    case 'none':
      if (intent.reason === 'injection' || intent.reason === 'negated')
        return ctx.reply(notUnderstood(intent.reason, Object.keys(ctx.tenant.roles)));
      return offerForm(ctx, intent, noneLead(intent));
    case 'help':
      return ctx.reply(showHelp(ctx.tenant, ctx.person));
    case 'who_holds':
      return ctx.reply(await listRoleHolders(deps, ctx.person, intent.role));
    case 'cancel':
      return cancelLatest(deps, ctx);
    case 'get_roles':
    case 'lookup_user': {
      const found = await resolveTarget(deps, ctx.tenant, ctx.person, intent.target);
      if (found.kind === 'none') return ctx.reply(targetNotFound(found.what));
      if (found.kind === 'many')
        return ctx.reply(targetNotFound(`exactly one “${found.name}” (${found.candidates.length} match)`));
      const isSelf = ctx.person.kind === 'member' && ctx.person.user.id === found.user.id;
      if (!canView(ctx.tenant, ctx.person.roles, isSelf))
        return ctx.reply(withHelpers(notAllowedToView(), helpersFor(ctx.tenant)));
      if (intent.kind === 'lookup_user')
        return ctx.reply(lookupAnswer(found.user, found.identity, ctx.showDetails));
      const roles = await deps.directories.forTenant(ctx.tenant.id).getRoles(found.user.id);
      return ctx.reply(rolesAnswer(found.identity, roles, ctx.showDetails));
    }
    case 'request_role_change': {
      const problem = askProblem(deps, ctx, intent);
      if (problem) return offerForm(ctx, intent, problem);
      for (const target of intent.targets) {
        const found = await resolveTarget(deps, ctx.tenant, ctx.person, target);
        // The lead's name search runs while the form opens (the trigger lasts only 3 s).
        if (found.kind === 'none') await offerForm(ctx, intent, notFoundLead(deps, ctx, target));
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
}

/** Longer than this is no time-bound grant anyone means ("for 100 years"). */
const LONGEST_SENSIBLE_MS = 366 * 86_400_000;

/** A role change that cannot go on as asked: an unknown role, or a length of 0 or of a century. */
function askProblem(deps: AppDeps, ctx: Ctx, i: RoleChangeIntent): string | undefined {
  const roles = Object.keys(ctx.tenant.roles);
  if (!Object.hasOwn(ctx.tenant.roles, i.role)) {
    const near = nearRoles(i.role, roles);
    return `${FORM_LEADS.unknown_role}${near.length ? ` ${didYouMean(near)}` : ''}`;
  }
  const length = i.until ? Date.parse(i.until) - deps.clock.now().getTime() : i.durationMs;
  if (length !== undefined && length <= 0 && !i.extend) return FORM_LEADS.zero_duration;
  if (length !== undefined && length > LONGEST_SENSIBLE_MS) return FORM_LEADS.too_long;
  return undefined;
}

function noneLead(i: Extract<Intent, { kind: 'none' }>): string {
  if (i.reason === 'zero_duration') return FORM_LEADS.zero_duration;
  if (i.reason === 'too_long') return FORM_LEADS.too_long;
  if (i.reason === 'unknown_role')
    return `${FORM_LEADS.unknown_role}${i.partial?.role ? ` ${didYouMean([i.partial.role])}` : ''}`;
  return FORM_LEADS.not_understood;
}

/**
 * "I couldn't find Dana Kym. Did you mean Dana Kim?": people sharing the first word of the name,
 * else the last ("Dna Kim"); at most two searches, each bounded.
 */
async function notFoundLead(deps: AppDeps, ctx: Ctx, target: Target): Promise<string> {
  const lead = FORM_LEADS.not_found;
  if (target.kind !== 'name') return lead;
  const dir = deps.directories.forTenant(ctx.tenant.id);
  const words = [...new Set([target.name.split(/\s+/)[0], target.name.split(/\s+/).at(-1)])].filter(
    (w): w is string => !!w && w.length >= 2,
  );
  let near: { displayName?: string; userName: string }[] = [];
  for (const w of words) {
    near = await dir.searchUsersByName(w, MAX_CHOICES).catch(() => []);
    if (near.length) break;
  }
  const names = near
    .map((u) => u.displayName ?? u.userName)
    .filter((n) => n.toLowerCase() !== target.name.toLowerCase());
  return names.length ? `${lead} ${didYouMean(names)}` : lead;
}

async function offerForm(
  ctx: Ctx,
  intent: Intent | undefined,
  leadOf: string | Promise<string>,
): Promise<void> {
  const where = {
    channelId: ctx.origin.channelId,
    isDm: ctx.origin.isDm === true,
    ...(ctx.origin.threadTs ? { threadTs: ctx.origin.threadTs } : {}),
  };
  const prefill = prefillOf(intent, where, ctx.person, ctx.tenant);
  const understood: RichText[] = [
    prefill.targetUserId
      ? rich`for ${mention(prefill.targetUserId)}`
      : prefill.targetText
        ? `for “${prefill.targetText}”`
        : '',
    prefill.role ? rich`role ${code(prefill.role)}` : '',
    prefill.durationMs ? `for ${formatDuration(prefill.durationMs)}` : '',
    prefill.justification ? `because “${prefill.justification}”` : '',
  ].filter((x) => x.length > 0);
  const opened = await ctx.openForm?.(async () => ({
    ...requestForm(ctx.tenant, ctx.person, prefill),
    lead: await leadOf,
    ...(ctx.responseUrl ? { responseUrl: ctx.responseUrl } : {}),
  }));
  if (opened) return;
  await ctx.reply(formOffer(await leadOf, formButton(prefill), understood));
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
  const { request } = await advanceFresh(deps, latest.id, () => ({
    kind: 'cancel',
    audit: { actor: ctx.person.identity },
  }));
  if (!request) return ctx.reply(nothingToCancel());
  await ctx.reply(outcomeCard(request));
}
