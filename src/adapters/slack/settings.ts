import type { Env } from '../../config.ts';
import { RolecallError } from '../../core/errors.ts';
import { oauthSettings } from './oauth-settings.ts';

export type SlackEnv = Pick<
  Env,
  'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN' | 'SLACK_SIGNING_SECRET' | 'SLACK_API_URL' | 'PORT' | 'HOST'
> &
  Partial<
    Pick<
      Env,
      | 'SLACK_CLIENT_ID'
      | 'SLACK_CLIENT_SECRET'
      | 'SLACK_STATE_SECRET'
      | 'SLACK_REDIRECT_URI'
      | 'ROLECALL_ENCRYPTION_KEY'
    >
  >;

export type SlackSettings =
  | { mode: 'socket'; botToken?: string; appToken: string; apiUrl?: string; port: number; host: string }
  | { mode: 'http'; botToken?: string; signingSecret: string; apiUrl?: string; port: number; host: string };

/** Said where a setting is missing, since `npm start` opens the playground only on a fresh checkout. */
const DEMO_HINT = ' (or run `npm run demo` for the local playground)';

function fail(key: string, message: string): never {
  throw new RolecallError('CONFIG.INVALID', `${key}: ${message}`, { details: { key } });
}

const kind = (v: string) =>
  v.startsWith('xapp-')
    ? 'an app-level token (xapp-…)'
    : v.startsWith('xoxp-')
      ? 'a user token (xoxp-…)'
      : v.startsWith('xoxb-')
        ? 'a bot token (xoxb-…)'
        : undefined;

/**
 * Decides Socket Mode vs HTTP from the environment, or stops with one message naming the variable to
 * fix. Token values never appear in the message, only their kind.
 */
export function slackSettings(env: SlackEnv): SlackSettings {
  const bot = env.SLACK_BOT_TOKEN?.trim();
  const app = env.SLACK_APP_TOKEN?.trim();
  const secret = env.SLACK_SIGNING_SECRET?.trim();
  // OAuth distribution (oauth.ts): tokens come from installations, so there is no bot token to check.
  if (oauthSettings(env)) {
    if (bot)
      fail(
        'SLACK_BOT_TOKEN',
        'unset it: with SLACK_CLIENT_ID set, each workspace uses its own installed token',
      );
  } else if (!bot)
    fail(
      'SLACK_BOT_TOKEN',
      `not set; copy the Bot User OAuth Token (xoxb-…) from "OAuth & Permissions"${DEMO_HINT}`,
    );
  else if (!bot.startsWith('xoxb-'))
    fail(
      'SLACK_BOT_TOKEN',
      `holds ${kind(bot) ?? 'something that is not a Slack token'}; it needs the Bot User OAuth Token (xoxb-…)` +
        (bot.startsWith('xapp-') ? ' — the xapp- token belongs in SLACK_APP_TOKEN' : ''),
    );
  if (app !== undefined && app !== '' && !app.startsWith('xapp-'))
    fail(
      'SLACK_APP_TOKEN',
      `holds ${kind(app) ?? 'something that is not a Slack token'}; Socket Mode needs an app-level token (xapp-…) with connections:write`,
    );
  if (secret && kind(secret))
    fail(
      'SLACK_SIGNING_SECRET',
      `holds ${kind(secret)}; it needs the Signing Secret from "Basic Information"`,
    );
  const common = {
    ...(bot ? { botToken: bot } : {}),
    ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}),
    port: env.PORT,
    host: env.HOST,
  };
  if (app) return { mode: 'socket', appToken: app, ...common };
  if (secret) return { mode: 'http', signingSecret: secret, ...common };
  return fail(
    'SLACK_APP_TOKEN',
    'neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP events at /slack/events) is set; set one of them' +
      DEMO_HINT,
  );
}
