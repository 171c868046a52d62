/**
 * What the Slack adapter uses from Slack, and the bot scopes each use needs. manifest.yml must grant
 * exactly these (test/slack/manifest.test.ts checks both directions and scans the code for calls).
 */

/** Web API methods called with the bot token, and the bot scopes they need. */
export const METHOD_SCOPES = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'conversations.open': ['im:write'],
  // users:read.email makes profile.email appear; identity mapping relies on it.
  'users.info': ['users:read', 'users:read.email'],
  // Start-up and doctor check that the bot can post in each approval channel.
  'conversations.info': ['channels:read', 'groups:read'],
  // Targets named by email or name are found in Slack too, so they are told and see it in App Home.
  'users.lookupByEmail': ['users:read.email'],
  'views.open': [],
  // The request form opens with 'Loading…' at once (the trigger lasts 3 s), then is filled in.
  'views.update': [],
  'views.publish': [],
} as const satisfies Record<string, readonly string[]>;

export type WebApiMethod = keyof typeof METHOD_SCOPES;
export const WEB_API_METHODS = Object.keys(METHOD_SCOPES) as WebApiMethod[];

/** Called by the Socket Mode client with the app-level token (scope connections:write, not a bot scope). */
export const APP_TOKEN_METHODS = { 'apps.connections.open': ['connections:write'] } as const;

/** Bot events subscribed in the manifest → the scope each needs. `message.im` is `message` in DMs. */
export const EVENT_SCOPES = {
  app_mention: ['app_mentions:read'],
  'message.im': ['im:history'],
  app_home_opened: [],
  // Readiness (single-token mode) or the installation (OAuth distribution, tenancy.ts) follows uninstall and revocation.
  app_uninstalled: [],
  tokens_revoked: [],
} as const satisfies Record<string, readonly string[]>;

export type SubscribedEvent = keyof typeof EVENT_SCOPES;
export const SUBSCRIBED_EVENTS = Object.keys(EVENT_SCOPES) as SubscribedEvent[];

/** Event names as Bolt's listeners register them (`app.event(name)`) → the subscription they need. */
export const LISTENED_EVENTS: Record<string, SubscribedEvent> = {
  app_mention: 'app_mention',
  message: 'message.im',
  app_home_opened: 'app_home_opened',
  app_uninstalled: 'app_uninstalled',
  tokens_revoked: 'tokens_revoked',
};

export const SLASH_COMMANDS = ['/rolecall'] as const;
export const COMMAND_SCOPES = ['commands'] as const;

export function requiredBotScopes(): string[] {
  const all = [
    ...Object.values(METHOD_SCOPES).flat(),
    ...Object.values(EVENT_SCOPES).flat(),
    ...COMMAND_SCOPES,
  ] as string[];
  return [...new Set(all)].sort();
}
