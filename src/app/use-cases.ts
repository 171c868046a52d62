import type { AppDeps } from './deps.ts';
import { denyRequest, handleClick } from './handle-click.ts';
import { handleMessage } from './handle-message.ts';
import type { UseCases } from './inbound.ts';
import { renderHome } from './render-home.ts';

/** The inbound surface the Slack listeners (and the playground) call. */
export function createUseCases(deps: AppDeps): UseCases {
  return {
    handleMessage: (msg) => handleMessage(deps, msg),
    handleClick: (click) => handleClick(deps, click),
    denyRequest: (id, clicker, reason) => denyRequest(deps, id, clicker, reason),
    renderHome: (userId, teamId) => renderHome(deps, userId, teamId),
  };
}
