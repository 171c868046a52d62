/** What the person whose roles change is told (an FYI by DM), whoever asked. */
import type { RoleRequest } from '../../core/request-record.ts';
import { code, rich } from '../../core/rich-text.ts';
import type { Card } from '../../ports/chat.ts';
import { when } from './format.ts';
import type { GrantEnd } from './requester.ts';

export function targetNotice(r: RoleRequest): Card {
  const role = code(r.role);
  if (r.state === 'applied' && r.extendsRequestId)
    return {
      text: rich`FYI: your ${role} role was extended until ${r.grantEndsAt ? when(r.grantEndsAt) : 'later'} (request ${r.id}).`,
    };
  const verb = r.state === 'revoked' || r.action === 'revoke' ? 'removed from' : 'given';
  const until = r.state === 'applied' && r.grantEndsAt ? rich` until ${when(r.grantEndsAt)}` : '';
  return { text: rich`FYI: you were ${verb} the ${role} role${until} (request ${r.id}).` };
}

export function grantEndedNotice(r: RoleRequest, how: GrantEnd): Card {
  const role = code(r.role);
  const stays = how === 'superseded' || how === 'held_before';
  return {
    text: stays
      ? rich`FYI: your time-bound ${role} grant ended (request ${r.id}); you keep the role under another grant.`
      : rich`FYI: your time-bound ${role} role has ended and was removed (request ${r.id}).`,
  };
}
