import { errorCode } from '../core/errors.ts';
import type { RoleRequest } from '../core/request-record.ts';
import type { Card } from '../ports/chat.ts';
import { applyChange } from './apply-change.ts';
import { decideRequest } from './approve-request.ts';
import { decodeChoice } from './choice.ts';
import { confirmRequest } from './confirm-request.ts';
import { type AppDeps, tenantById } from './deps.ts';
import { identify } from './identify.ts';
import { ACTIONS, type ButtonClick, type Clicker } from './inbound.ts';
import { advanceFresh } from './lifecycle.ts';
import {
  alreadyDecided,
  askedEndPassed,
  chosenCard,
  errorCard,
  notYourRequest,
  outcomeCard,
  refusalCard,
  spentCard,
} from './messages.ts';
import { proposeChange } from './propose-change.ts';
import { isDmChannel, type Reply, rememberCard, replyTo } from './reply.ts';
import { bindRequest, inLogScope } from './request-log.ts';
import { withSlackUser } from './resolve-target.ts';

/** Any Rolecall button. Runs after Slack got its ack; every fault is answered with a reference id. */
export async function handleClick(deps: AppDeps, click: ButtonClick): Promise<Card | undefined> {
  // Every button but "choose" carries a request id; the rest of its fields bind once it is read.
  const requestId = click.actionId === ACTIONS.choose ? undefined : click.value;
  return inLogScope(deps, { requestId, actorId: click.clicker.userId }, () => dispatch(deps, click));
}

async function dispatch(deps: AppDeps, click: ButtonClick): Promise<Card | undefined> {
  const channelId = click.channelId ?? '';
  const receivedAt = deps.clock.now().getTime();
  // Through the click's response_url first: the answer lands next to the card, in its thread, and
  // privately, even where the bot is not a member (a card shown through a command's response_url).
  const reply =
    channelId || click.responseUrl
      ? replyTo(deps, {
          channelId,
          userId: click.clicker.userId,
          isDm: isDmChannel(channelId),
          responseUrl: click.responseUrl,
          receivedAt,
        })
      : async () => {};
  const ref = deps.ids.next();
  try {
    switch (click.actionId) {
      case ACTIONS.confirm: {
        await confirmRequest(deps, click.value, click.clicker, reply);
        const card = await spent(deps, click);
        // A card that now waits for approval is updated again when the approvers decide.
        if (card && (await deps.requests.get(click.value))?.state === 'awaiting_approval')
          rememberCard(click.value, click.responseUrl, receivedAt);
        return card;
      }
      case ACTIONS.approve:
        await decideRequest(deps, click.value, click.clicker, { kind: 'approve' }, reply);
        return undefined;
      case ACTIONS.cancel:
        await cancelRequest(deps, click.value, click.clicker, reply);
        return await spent(deps, click);
      case ACTIONS.retry:
        await retryRequest(deps, click.value, click.clicker, reply);
        return await spent(deps, click, 'failed');
      case ACTIONS.choose:
        return await chooseTarget(deps, click, reply);
      default:
        deps.log.warn({ actionId: click.actionId }, 'unknown action ignored');
        return undefined;
    }
  } catch (err) {
    const code = errorCode(err);
    deps.log.error({ err, code, ref, actionId: click.actionId }, 'click handling failed');
    await reply(errorCard(code, ref)).catch(() => {});
    return undefined;
  }
}

/**
 * The requester's card, once its request has moved on (`keepIn`: states where its buttons still
 * work), becomes a one-line record of what it asked and what became of it.
 */
async function spent(
  deps: AppDeps,
  click: ButtonClick,
  keepIn: RoleRequest['state'] = 'awaiting_confirmation',
): Promise<Card | undefined> {
  const r = await deps.requests.get(click.value);
  if (!r || r.state === keepIn || r.state === 'awaiting_confirmation') return undefined;
  const requesterSide = [r.requester.slackUserId, r.relayedBy?.slackUserId].includes(click.clicker.userId);
  return requesterSide ? spentCard(r) : undefined;
}

/** Deny submitted from the reason modal. */
export function denyRequest(
  deps: AppDeps,
  requestId: string,
  clicker: Clicker,
  reason: string,
): Promise<void> {
  return inLogScope(deps, { requestId, actorId: clicker.userId }, () =>
    deny(deps, requestId, clicker, reason),
  );
}

async function deny(deps: AppDeps, requestId: string, clicker: Clicker, reason: string): Promise<void> {
  const request = await deps.requests.get(requestId);
  const channelId = request?.approvalMessages[0]?.channelId;
  const reply = channelId
    ? replyTo(deps, { channelId, userId: clicker.userId, isDm: false })
    : async () => {};
  try {
    await decideRequest(
      deps,
      requestId,
      clicker,
      { kind: 'reject', reason: reason.trim().slice(0, 500) },
      reply,
    );
  } catch (err) {
    const ref = deps.ids.next();
    deps.log.error({ err, ref, requestId }, 'deny failed');
    await reply(errorCard(errorCode(err), ref)).catch(() => {});
  }
}

async function cancelRequest(deps: AppDeps, id: string, clicker: Clicker, reply: Reply): Promise<void> {
  const current = await deps.requests.get(id);
  if (!current) return reply(alreadyDecided('gone'));
  bindRequest(deps, current);
  if (current.requester.slackUserId !== clicker.userId) return reply(notYourRequest());
  const { request, current: latest } = await advanceFresh(deps, id, (cur) => ({
    kind: 'cancel',
    audit: { actor: cur.requester },
  }));
  if (!request) return reply(alreadyDecided(latest?.state ?? 'gone'));
  await reply(outcomeCard(request));
}

/** "Try again" after a failed apply: only the requester, only from `failed`, never a second PATCH. */
async function retryRequest(deps: AppDeps, id: string, clicker: Clicker, reply: Reply): Promise<void> {
  const current = await deps.requests.get(id);
  if (!current) return reply(alreadyDecided('gone'));
  bindRequest(deps, current);
  if (current.requester.slackUserId !== clicker.userId) return reply(notYourRequest());
  if (current.endsBy && deps.clock.now().getTime() >= Date.parse(current.endsBy))
    return reply(askedEndPassed());
  const { request, current: latest } = await advanceFresh(deps, id, () => ({ kind: 'retry' }));
  if (!request) return reply(alreadyDecided(latest?.state ?? 'gone'));
  await applyChange(deps, request);
}

async function chooseTarget(deps: AppDeps, click: ButtonClick, reply: Reply): Promise<Card | undefined> {
  const choice = decodeChoice(click.value);
  if (!choice) return void (await reply(alreadyDecided('no longer valid')));
  if (choice.requester !== click.clicker.userId) return void (await reply(notYourRequest()));
  const isDm = isDmChannel(choice.origin.channelId);
  const who = await identify(deps, click.clicker.userId, isDm ? undefined : choice.origin.channelId);
  if (!who.ok) return void (await reply(refusalCard(who.refusal)));
  const tenant = tenantById(deps.policy, who.person.tenant.id)!;
  const user = await deps.directories.forTenant(tenant.id).getUser(choice.targetScimId);
  if (!user) return void (await reply(alreadyDecided('no longer valid')));
  const showDetails = isDm || !tenant.slack.sharedChannels.includes(choice.origin.channelId);
  await proposeChange(
    deps,
    { person: who.person, tenant, origin: choice.origin, reply, showDetails },
    { user, identity: await withSlackUser(deps, tenant, user) },
    choice,
  );
  return chosenCard(user.displayName ?? user.userName);
}
