import type { AppDeps } from './deps.ts';
import type { Clicker } from './inbound.ts';
import { advanceFresh } from './lifecycle.ts';
import { alreadyDecided, notYourRequest, outcomeCard } from './messages.ts';
import type { Reply } from './reply.ts';
import { bindRequest } from './request-log.ts';

/** The requester's Cancel button on their card: only theirs, only while it is still undecided. */
export async function cancelRequest(
  deps: AppDeps,
  id: string,
  clicker: Clicker,
  reply: Reply,
): Promise<void> {
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
