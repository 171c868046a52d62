import { spentCard } from '../app/messages.ts';
import type { FormSubmission } from '../app/request-form.ts';
import type { RoleRequest } from '../core/request-record.ts';
import { plainText } from '../core/rich-text.ts';
import type { WebChat } from './web-chat.ts';

/**
 * The playground's side of issue 16: reading the request form's answer, and keeping the
 * requester's card in step with the request (as Slack's chat.update does on the Slack side).
 */

/** The form's fields from a JSON body, or what to ask the person to fix. */
export function formAnswer(
  b: Record<string, unknown>,
  chat: WebChat,
  channelId: string,
): Omit<FormSubmission, 'clicker' | 'channelId'> | string {
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
  const target = chat.users.find((u) => u.id === b.target);
  const role = str(b.role, 64);
  const durationMs = b.durationMs === null || b.durationMs === undefined ? undefined : Number(b.durationMs);
  if (!target) return 'pick the person';
  if (!role) return 'pick a role';
  if (durationMs !== undefined && !(Number.isSafeInteger(durationMs) && durationMs > 0))
    return 'pick how long';
  // Only a thread that exists in this channel: the answer never lands somewhere else.
  const threadTs =
    typeof b.threadTs === 'string' && chat.find(channelId, b.threadTs) ? b.threadTs : undefined;
  const justification = str(b.justification, 500);
  return {
    targetUserId: target.id,
    role,
    ...(threadTs ? { threadTs } : {}),
    ...(durationMs ? { durationMs } : {}),
    ...(justification ? { justification } : {}),
  };
}

/** Spent confirmation cards still saying "waiting for approval" whose request has since been decided. */
export async function refreshDecidedCards(
  chat: WebChat,
  requestById: ((id: string) => Promise<RoleRequest | undefined>) | undefined,
): Promise<void> {
  if (!requestById) return;
  for (const m of chat.messages) {
    const id =
      m.card?.context &&
      /^Confirmed · waiting for approval · Request (\S+)$/.exec(plainText(m.card.context))?.[1];
    if (!id) continue;
    const r = await requestById(id).catch(() => undefined);
    if (r && r.state !== 'awaiting_approval')
      await chat.update({ channelId: m.channelId, ts: m.ts }, spentCard(r));
  }
}
