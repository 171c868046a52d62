import type { Card } from '../ports/chat.ts';
import type { AppDeps } from './deps.ts';

/** Sends a card back to one person where they asked. */
export type Reply = (card: Card) => Promise<void>;

/**
 * Slack lets an app answer through a response_url 5 times within 30 minutes of the interaction.
 * One use is kept back for replacing the clicked card, and a minute of margin for slow answers.
 */
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;
const RESPONSE_URL_MARGIN_MS = 60_000;
const REPLY_USES = 4;

export interface ReplyWhere {
  channelId: string;
  userId: string;
  /** Only a thread that already exists: Slack hides ephemerals sent into a thread that does not. */
  threadTs?: string;
  /** A DM with Rolecall, as the chat adapter said: answers are messages there, not ephemerals. */
  isDm: boolean;
  /** The interaction's response_url (slash command, modal opened by one, button click). */
  responseUrl?: string;
  /** When the interaction arrived (ms); response_url counts its 30 minutes from then. */
  receivedAt?: number;
}

/**
 * Answers one person privately, where they will see it:
 * 1. through the interaction's response_url while it lasts — the only way to answer in a channel
 *    the bot is not a member of, or a DM between two people;
 * 2. in a DM with the bot as a message, in a channel as an ephemeral (only the requester sees it);
 * 3. failing both, in a DM, so an answer is never lost silently.
 */
export function replyTo(deps: AppDeps, where: ReplyWhere): Reply {
  let uses = 0;
  const urlUsable = () =>
    where.responseUrl !== undefined &&
    uses < REPLY_USES &&
    deps.clock.now().getTime() - (where.receivedAt ?? deps.clock.now().getTime()) <
      RESPONSE_URL_LIFETIME_MS - RESPONSE_URL_MARGIN_MS;
  return async (card) => {
    if (urlUsable()) {
      uses += 1;
      try {
        return await deps.chat.respond(where.responseUrl!, card);
      } catch (err) {
        deps.log.warn({ err, channel: where.channelId }, 'response_url refused; answering in the channel');
      }
    }
    try {
      if (where.isDm) await deps.chat.post(where.channelId, card, where.threadTs);
      else await deps.chat.postEphemeral(where.channelId, where.userId, card, where.threadTs);
    } catch (err) {
      // Also for a DM: /rolecall typed in a DM between two people is not the bot's DM.
      deps.log.warn({ err, channel: where.channelId }, 'could not answer in the channel; answering by DM');
      await deps.chat.dm(where.userId, card);
    }
  };
}

/**
 * The requester's confirmation card (ephemeral, or a DM message) can only be changed through the
 * response_url of the click that spent it. Kept in memory, per request, while the URL lasts, so a
 * decision can replace "waiting for approval" with the outcome. Lost on restart (then the outcome
 * message is the record).
 */
const cards = new Map<string, { url: string; at: number; uses: number }>();
const MAX_CARDS = 1000;

export function rememberCard(requestId: string, url: string | undefined, at: number): void {
  if (!url) return;
  if (cards.size >= MAX_CARDS) cards.delete(cards.keys().next().value!);
  // The confirm click already used the URL twice: the answer and the card's replacement.
  cards.set(requestId, { url, at, uses: 2 });
}

/** Replaces the requester's card with `card` if its URL still lasts; false when it could not. */
export async function updateCard(deps: AppDeps, requestId: string, card: Card): Promise<boolean> {
  const c = cards.get(requestId);
  if (!c) return false;
  if (deps.clock.now().getTime() - c.at >= RESPONSE_URL_LIFETIME_MS - RESPONSE_URL_MARGIN_MS || c.uses >= 5) {
    cards.delete(requestId);
    return false;
  }
  c.uses += 1;
  try {
    await deps.chat.respond(c.url, card, { replace: true });
    return true;
  } catch (err) {
    deps.log.warn({ err, requestId }, 'could not update the requester’s card');
    cards.delete(requestId);
    return false;
  }
}
