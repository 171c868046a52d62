import { errorCode } from '../core/errors.ts';
import { decideRequest } from './approve-request.ts';
import type { AppDeps } from './deps.ts';
import type { Clicker } from './inbound.ts';
import { errorCard } from './messages.ts';
import { replyTo } from './reply.ts';
import { inLogScope } from './request-log.ts';

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
