import { webApi } from '@slack/bolt';
import { RolecallError } from '../../core/errors.ts';
import { createLogger } from '../log/logger.ts';
import { webClientOptions } from './chat.ts';
import { BAD_TOKEN, toSlackError } from './errors.ts';
import { type SlackEnv, slackSettings } from './settings.ts';

function tokenError(err: unknown, key: string, method: string): RolecallError {
  if (err instanceof webApi.WebAPIPlatformError) {
    const code = String(err.data.error);
    const hint = BAD_TOKEN.has(code) ? ` (check ${key})` : '';
    return new RolecallError('SLACK.API', `${method}: ${code}${hint}`, {
      cause: err,
      details: { key, method, error: code },
    });
  }
  return toSlackError(err, method);
}

/**
 * `rolecall doctor`'s Slack probe: `auth.test` with the bot token and, in Socket Mode,
 * `apps.connections.open` with the app token (the URL it hands out is left unused and expires).
 * No retries: the doctor reports what Slack says now. Token values never appear in the answer.
 */
export async function checkSlack(env: SlackEnv, timeoutMs = 10_000): Promise<string> {
  const s = slackSettings(env);
  const options = webClientOptions({
    ...(s.apiUrl ? { apiUrl: s.apiUrl } : {}),
    retry: { retries: 0 },
    timeoutMs,
    // The answer is the report; the WebClient's own console warnings would only repeat it.
    logger: createLogger({ level: 'silent' }),
  });
  const bot = new webApi.WebClient(s.botToken, options);
  let who: string;
  try {
    const r = (await bot.apiCall('auth.test')) as { team_id?: string; user_id?: string };
    who = `auth.test ok: team ${r.team_id ?? '?'}, bot user ${r.user_id ?? '?'}`;
  } catch (err) {
    throw tokenError(err, 'SLACK_BOT_TOKEN', 'auth.test');
  }
  if (s.mode === 'http') return `${who}; HTTP mode (events at /slack/events)`;
  const app = new webApi.WebClient(s.appToken, options);
  try {
    // Both by apiCall: test/slack/manifest.test.ts scans this folder for bot-token method calls,
    // and this one is an app-token method (APP_TOKEN_METHODS).
    await app.apiCall('apps.connections.open');
  } catch (err) {
    throw tokenError(err, 'SLACK_APP_TOKEN', 'apps.connections.open');
  }
  return `${who}; Socket Mode: apps.connections.open ok`;
}
