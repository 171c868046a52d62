import { errorCode } from '../core/errors.ts';
import type { RoleRequest } from '../core/request-record.ts';
import type { Card } from '../ports/chat.ts';
import { decideRequest } from './approve-request.ts';
import { cancelRequest } from './cancel-request.ts';
import { chooseTarget } from './choose-target.ts';
import { confirmRequest } from './confirm-request.ts';
import type { AppDeps } from './deps.ts';
import { ACTIONS, type ButtonClick } from './inbound.ts';
import { errorCard, spentCard } from './messages.ts';
import { rememberCard, replyTo } from './reply.ts';
import { inLogScope } from './request-log.ts';
import { retryRequest } from './retry-request.ts';

export { denyRequest } from './deny-request.ts';

/**
 * Any Rolecall button: routes it to its one use case (confirm-request, approve-request,
 * cancel-request, retry-request, choose-target) and says what the clicked card becomes.
 * Runs after Slack got its ack; every fault is answered with a reference id.
 */
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
          isDm: click.isDm === true,
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
