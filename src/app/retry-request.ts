import { isErrorCode, retryCanHelp } from '../core/errors.ts';
import { applyChange } from './apply-change.ts';
import type { AppDeps } from './deps.ts';
import type { Clicker } from './inbound.ts';
import { advanceFresh } from './lifecycle.ts';
import { alreadyDecided, askedEndPassed, notYourRequest, outcomeCard } from './messages.ts';
import type { Reply } from './reply.ts';
import { bindRequest } from './request-log.ts';

/** "Try again" after a failed apply: only the requester, only from `failed`, never a second PATCH. */
export async function retryRequest(deps: AppDeps, id: string, clicker: Clicker, reply: Reply): Promise<void> {
  const current = await deps.requests.get(id);
  if (!current) return reply(alreadyDecided('gone'));
  bindRequest(deps, current);
  if (current.requester.slackUserId !== clicker.userId) return reply(notYourRequest());
  if (current.endsBy && deps.clock.now().getTime() >= Date.parse(current.endsBy))
    return reply(askedEndPassed());
  const { request, current: latest } = await advanceFresh(deps, id, () => ({ kind: 'retry' }));
  // A failure a retry cannot fix (a button posted before it was withheld): say again why instead.
  const unfixable =
    latest?.state === 'failed' && isErrorCode(latest.error?.code) && !retryCanHelp(latest.error.code);
  if (!request) return reply(unfixable ? outcomeCard(latest) : alreadyDecided(latest?.state ?? 'gone'));
  await applyChange(deps, request);
}
