import { webApi } from '@slack/bolt';
import { RolecallError } from '../../core/errors.ts';
import { scrubSecrets } from '../log/logger.ts';

/** Slack's own codes that mean "slow down", whatever the HTTP status. */
const RATE_LIMIT_CODES = new Set(['ratelimited', 'rate_limited']);

/**
 * Maps whatever the WebClient threw into SLACK.API / SLACK.RATE_LIMITED with the method and Slack's
 * error code in `details`; `cause` keeps the original for logs. Tokens never reach the message.
 */
/** Slack's answers that mean "this token is wrong", as opposed to "Slack is down". */
export const BAD_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'invalid_token',
]);

export function toSlackError(err: unknown, method: string): RolecallError {
  if (err instanceof RolecallError) return err;
  if (err instanceof webApi.WebAPIPlatformError) {
    const code = String(err.data.error ?? 'unknown_error');
    const messages = err.data.response_metadata?.messages;
    const details = { method, error: code, ...(messages?.length ? { messages: messages.slice(0, 5) } : {}) };
    return RATE_LIMIT_CODES.has(code)
      ? new RolecallError('SLACK.RATE_LIMITED', `Slack ${method} was rate limited`, { cause: err, details })
      : new RolecallError('SLACK.API', `Slack ${method} failed: ${code}`, { cause: err, details });
  }
  if (err instanceof webApi.WebAPIRateLimitedError)
    return new RolecallError('SLACK.RATE_LIMITED', `Slack ${method} was rate limited`, {
      cause: err,
      details: { method, retryAfter: err.retryAfter },
    });
  if (err instanceof webApi.WebAPIHTTPError)
    return new RolecallError('SLACK.API', `Slack ${method} answered HTTP ${err.statusCode}`, {
      cause: err,
      details: { method, status: err.statusCode },
    });
  const text = scrubSecrets(err instanceof Error ? err.message : String(err));
  // The WebClient's last retry after a 429 rejects with a plain Error; its message is the only marker.
  const retry = /rate limit was exceeded.*retry-after: (\d+)/i.exec(text);
  if (retry)
    return new RolecallError('SLACK.RATE_LIMITED', `Slack ${method} stayed rate limited after retries`, {
      cause: err,
      details: { method, retryAfter: Number(retry[1]) },
    });
  if (err instanceof webApi.WebAPIRequestError)
    return new RolecallError(
      'SLACK.API',
      `Slack ${method} could not be reached: ${scrubSecrets(err.original.message)}`,
      {
        cause: err,
        details: { method },
      },
    );
  return new RolecallError('SLACK.API', `Slack ${method} failed: ${text}`, {
    cause: err,
    details: { method },
  });
}

/** Slack's error code (`channel_not_found`…) from a mapped error, if it came from the platform. */
export function slackErrorCode(err: unknown): string | undefined {
  if (err instanceof RolecallError && typeof err.details.error === 'string') return err.details.error;
  return undefined;
}
