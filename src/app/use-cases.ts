import { denyRequest } from './deny-request.ts';
import type { AppDeps } from './deps.ts';
import { handleClick } from './handle-click.ts';
import { handleMessage, submitRequestForm } from './handle-message.ts';
import type { UseCases } from './inbound.ts';
import { renderHome } from './render-home.ts';
import { openRequestForm } from './request-form.ts';

/** The inbound surface the Slack listeners (and the playground) call. */
export function createUseCases(deps: AppDeps): UseCases {
  return {
    handleMessage: (msg, openForm) => handleMessage(deps, msg, openForm),
    handleClick: (click) => handleClick(deps, click),
    denyRequest: (id, clicker, reason) => denyRequest(deps, id, clicker, reason),
    renderHome: (userId, teamId) => renderHome(deps, userId, teamId),
    openRequestForm: (click) => openRequestForm(deps, click),
    submitRequestForm: (submission) => submitRequestForm(deps, submission),
  };
}
