/** The Slack adapter's public surface (the composition root and tests import from here). */

export { HEALTH_PATH, type HttpRoute } from '../http/routes.ts';
export { createSlackApp, EVENTS_PATH, type SlackApp, type SlackAppOptions } from './app.ts';
export { renderCard } from './blocks.ts';
export { createWebClient, DEFAULT_RETRY, type RetryOptions, SlackChat } from './chat.ts';
export { COMMAND } from './listeners.ts';
export {
  APP_TOKEN_METHODS,
  EVENT_SCOPES,
  METHOD_SCOPES,
  requiredBotScopes,
  SLASH_COMMANDS,
  SUBSCRIBED_EVENTS,
  WEB_API_METHODS,
} from './manifest.ts';
export { type SlackEnv, type SlackSettings, slackSettings } from './settings.ts';
export { REASON_INPUT, REQUEST_INPUT, REQUEST_MODAL_CALLBACK } from './views.ts';
