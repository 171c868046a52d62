import { RolecallError } from '../../core/errors.ts';

export interface OAuthEnv {
  SLACK_CLIENT_ID?: string | undefined;
  SLACK_CLIENT_SECRET?: string | undefined;
  SLACK_STATE_SECRET?: string | undefined;
  SLACK_REDIRECT_URI?: string | undefined;
  SLACK_API_URL?: string | undefined;
}

export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  /** Sent as redirect_uri when set (needed when the app lists several redirect URLs). */
  redirectUri?: string;
  /** Slack's authorize page; next to SLACK_API_URL when that points elsewhere (the emulator). */
  authorizationUrl?: string;
}

const KEYS = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;

/**
 * OAuth distribution is on when all three of SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and
 * SLACK_STATE_SECRET are set, off when none is; anything in between stops the start naming what is
 * missing, so a half-configured deployment never falls back to single-token mode silently.
 */
export function oauthSettings(env: OAuthEnv): OAuthSettings | undefined {
  const v = Object.fromEntries(KEYS.map((k) => [k, env[k]?.trim() || undefined])) as Record<
    (typeof KEYS)[number],
    string | undefined
  >;
  const missing = KEYS.filter((k) => !v[k]);
  if (missing.length === KEYS.length) return undefined;
  if (missing.length > 0)
    throw new RolecallError(
      'CONFIG.INVALID',
      `${missing[0]}: not set; OAuth distribution needs ${KEYS.join(', ')} together (or none of them for single-token mode)`,
      { details: { key: missing[0] } },
    );
  if (v.SLACK_STATE_SECRET!.length < 32)
    throw new RolecallError(
      'CONFIG.INVALID',
      'SLACK_STATE_SECRET: use at least 32 random characters (it signs the OAuth state)',
      { details: { key: 'SLACK_STATE_SECRET' } },
    );
  const api = env.SLACK_API_URL?.trim();
  return {
    clientId: v.SLACK_CLIENT_ID!,
    clientSecret: v.SLACK_CLIENT_SECRET!,
    stateSecret: v.SLACK_STATE_SECRET!,
    ...(env.SLACK_REDIRECT_URI?.trim() ? { redirectUri: env.SLACK_REDIRECT_URI.trim() } : {}),
    ...(api ? { authorizationUrl: new URL('../oauth/v2/authorize', api).toString() } : {}),
  };
}
