import type { Card } from '../ports/chat.ts';
import type { AppDeps } from './deps.ts';

/** Sends a card back to one person where they asked. */
export type Reply = (card: Card) => Promise<void>;

/**
 * In a DM the reply is an ordinary message; in any channel it is ephemeral (only the requester sees
 * it), so directory details and half-finished requests are never shown to a shared channel.
 */
export function replyTo(
  deps: AppDeps,
  where: { channelId: string; userId: string; threadTs?: string; isDm: boolean },
): Reply {
  return async (card) => {
    if (where.isDm) await deps.chat.post(where.channelId, card, where.threadTs);
    else await deps.chat.postEphemeral(where.channelId, where.userId, card, where.threadTs);
  };
}

export const isDmChannel = (channelId: string) => channelId.startsWith('D');
