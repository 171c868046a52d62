import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Slack's side of OAuth distribution for the emulator (kept apart from slack-emulator.ts): the
 * consent on the authorize page, `oauth.v2.access` (code exchange and token refresh) and the
 * per-installation bot tokens it hands out, which `auth.test` then answers for.
 *
 * Rules, from Slack's docs:
 * - https://docs.slack.dev/authentication/installing-with-oauth — the authorize URL carries
 *   client_id, scope (comma-separated) and state; Slack redirects to redirect_uri with `code` and
 *   the same `state`; the code is exchanged once, by oauth.v2.access, within 10 minutes.
 * - https://docs.slack.dev/reference/methods/oauth.v2.access — client_id/client_secret by HTTP Basic
 *   auth (preferred) or as arguments; errors invalid_client_id, bad_client_secret, invalid_code,
 *   code_already_used (here: invalid_code, which Slack answers for a spent code too), bad_redirect_uri
 *   ("redirect_uri did not match the URI used in the original request"), invalid_grant_type,
 *   invalid_refresh_token. The answer: access_token, token_type "bot", scope, bot_user_id, app_id,
 *   team {id,name} (null for an org-wide install), enterprise {id,name} or null,
 *   is_enterprise_install, authed_user {id}; with token rotation also refresh_token and expires_in.
 * - https://docs.slack.dev/authentication/using-token-rotation — rotating tokens start with
 *   `xoxe.xoxb-`, expire after 12 hours (expires_in 43200); grant_type=refresh_token answers a new
 *   access token and refresh token.
 * - https://docs.slack.dev/reference/methods/auth.test — answers the token's own team_id, user_id
 *   (the bot user), bot_id, enterprise_id and is_enterprise_install.
 * - https://docs.slack.dev/reference/events/app_uninstalled — on uninstall the tokens are revoked;
 *   calls with them answer `token_revoked`.
 * - https://docs.slack.dev/reference/methods/users.info and the user object's `is_stranger`
 *   ("belongs to a different workspace than the one associated with your app's token, and isn't in
 *   any shared channels visible to your app"): a token sees the users of its own workspace (its
 *   org's, for an org-wide install) and those it shares a channel with; anyone else is
 *   `user_not_found` (conversations.open likewise).
 */
export interface OAuthAppOptions {
  clientId: string;
  clientSecret: string;
  appId?: string;
  /** Token rotation on: tokens expire (expires_in, default 43200 s) and come with a refresh token. */
  tokenRotation?: boolean;
  expiresIn?: number;
}

export interface Consent {
  /** The workspace the installing person signed in to (omit for an org-wide install). */
  teamId?: string;
  teamName?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  /** An Enterprise Grid org-wide install (is_enterprise_install). */
  orgWide?: boolean;
  userId: string;
}

export interface EmulatedInstall {
  /** The enterprise id for an org-wide install, else the team id. */
  id: string;
  consent: Consent;
  botUserId: string;
  botId: string;
  scopes: string[];
  token: string;
  refreshToken?: string;
  revoked: boolean;
  /** Every token issued for it, oldest first. */
  tokens: string[];
}

type Args = Record<string, unknown>;

export interface OAuthSide {
  installs: Map<string, EmulatedInstall>;
  /** Approves an authorize URL as `who`; answers the URL Slack redirects the browser to. */
  consent(authorizeUrl: string, who: Consent, redirectUri?: string): string;
  /** The installation a bot token belongs to (revoked ones included). */
  installOf(token: string): EmulatedInstall | undefined;
  /** What Slack does on uninstall: every token of the installation stops working. */
  revoke(id: string): void;
  /** oauth.v2.access (no token auth; client credentials). */
  access(args: Args, req: IncomingMessage): Args;
  /** auth.test for an installation's token. */
  authTest(inst: EmulatedInstall): Args;
  /** The error a user lookup answers when the installation cannot see that user, else undefined. */
  hiddenUser(
    method: string,
    args: Args,
    inst: EmulatedInstall,
    users: Map<string, { teamId?: string; sharedWith?: string[] }>,
    teams: { id: string; enterpriseId?: string }[],
  ): string | undefined;
}

const rand = () => randomBytes(6).toString('hex');

export function createOAuthSide(app: OAuthAppOptions, apiUrl: () => string): OAuthSide {
  const installs = new Map<string, EmulatedInstall>();
  const byToken = new Map<string, EmulatedInstall>();
  const codes = new Map<
    string,
    { consent: Consent; scopes: string[]; redirectUri?: string; used: boolean }
  >();
  const refresh = new Map<string, EmulatedInstall>();
  const appId = app.appId ?? 'AROLECALL';

  function issue(inst: EmulatedInstall): void {
    const base = `xoxb-${inst.id}-${rand()}`;
    inst.token = app.tokenRotation ? `xoxe.${base}` : base;
    inst.tokens.push(inst.token);
    byToken.set(inst.token, inst);
    if (app.tokenRotation) {
      if (inst.refreshToken) refresh.delete(inst.refreshToken);
      inst.refreshToken = `xoxe-1-${rand()}`;
      refresh.set(inst.refreshToken, inst);
    }
  }

  function tokenAnswer(inst: EmulatedInstall): Args {
    const c = inst.consent;
    return {
      ok: true,
      app_id: appId,
      authed_user: { id: c.userId },
      scope: inst.scopes.join(','),
      token_type: 'bot',
      access_token: inst.token,
      bot_user_id: inst.botUserId,
      team: c.orgWide ? null : { id: c.teamId, name: c.teamName ?? c.teamId },
      enterprise: c.enterpriseId ? { id: c.enterpriseId, name: c.enterpriseName ?? c.enterpriseId } : null,
      is_enterprise_install: Boolean(c.orgWide),
      ...(app.tokenRotation ? { refresh_token: inst.refreshToken, expires_in: app.expiresIn ?? 43_200 } : {}),
    };
  }

  return {
    installs,
    consent(authorizeUrl, who, redirectUri) {
      const url = new URL(authorizeUrl);
      const expected = new URL('../oauth/v2/authorize', apiUrl());
      if (`${url.origin}${url.pathname}` !== expected.toString())
        throw new Error(`not this Slack's authorize URL: ${url.origin}${url.pathname}`);
      if (url.searchParams.get('client_id') !== app.clientId) throw new Error('authorize: invalid client_id');
      const state = url.searchParams.get('state');
      if (!state) throw new Error('authorize: no state');
      const scopes = (url.searchParams.get('scope') ?? '').split(',').filter(Boolean);
      if (scopes.length === 0) throw new Error('authorize: no bot scopes asked');
      if ((who.orgWide ? who.enterpriseId : who.teamId) === undefined)
        throw new Error('consent: no team/org');
      const given = url.searchParams.get('redirect_uri') ?? undefined;
      const target = given ?? redirectUri;
      if (!target) throw new Error('consent: no redirect URI (none in the URL, none configured)');
      const code = `code-${rand()}`;
      codes.set(code, { consent: who, scopes, ...(given ? { redirectUri: given } : {}), used: false });
      const back = new URL(target);
      back.searchParams.set('code', code);
      back.searchParams.set('state', state);
      return back.toString();
    },
    installOf: (token) => byToken.get(token),
    revoke(id) {
      const inst = installs.get(id);
      if (inst) inst.revoked = true;
    },
    access(args, req) {
      const basic = req.headers.authorization?.match(/^Basic\s+(.+)$/i)?.[1];
      const [id, secret] = basic
        ? Buffer.from(basic, 'base64').toString('utf8').split(':')
        : [args.client_id, args.client_secret];
      if (id !== app.clientId) return { ok: false, error: 'invalid_client_id' };
      if (secret !== app.clientSecret) return { ok: false, error: 'bad_client_secret' };
      const grant = args.grant_type ?? 'authorization_code';
      if (grant === 'refresh_token') {
        if (!app.tokenRotation) return { ok: false, error: 'invalid_grant_type' };
        const inst = refresh.get(String(args.refresh_token ?? ''));
        if (!inst || inst.revoked) return { ok: false, error: 'invalid_refresh_token' };
        issue(inst);
        return tokenAnswer(inst);
      }
      if (grant !== 'authorization_code') return { ok: false, error: 'invalid_grant_type' };
      const c = codes.get(String(args.code ?? ''));
      if (!c || c.used) return { ok: false, error: 'invalid_code' };
      if (c.redirectUri !== undefined && args.redirect_uri !== c.redirectUri)
        return { ok: false, error: 'bad_redirect_uri' };
      c.used = true;
      const who = c.consent;
      const instId = (who.orgWide ? who.enterpriseId : who.teamId)!;
      const inst: EmulatedInstall = {
        id: instId,
        consent: who,
        botUserId: `UB${instId.slice(1)}`,
        botId: `BB${instId.slice(1)}`,
        scopes: c.scopes,
        token: '',
        revoked: false,
        tokens: [],
      };
      issue(inst);
      installs.set(instId, inst);
      return tokenAnswer(inst);
    },
    hiddenUser(method, args, inst, users, teams) {
      const ids =
        method === 'users.info'
          ? [String(args.user ?? '')]
          : method === 'conversations.open'
            ? String(args.users ?? '')
                .split(',')
                .filter(Boolean)
            : [];
      const c = inst.consent;
      const sees = (id: string) => {
        const u = users.get(id);
        if (!u) return true; // unknown users answer as before (user_not_found)
        const team = u.teamId;
        if (!team) return true;
        if (!c.orgWide && team === c.teamId) return true;
        if (c.orgWide && teams.find((t) => t.id === team)?.enterpriseId === c.enterpriseId) return true;
        return (u.sharedWith ?? []).includes(inst.id);
      };
      return ids.every(sees) ? undefined : 'user_not_found';
    },
    authTest(inst) {
      const c = inst.consent;
      return {
        ok: true,
        url: `https://${(c.teamId ?? c.enterpriseId ?? 'org').toLowerCase()}.slack.com/`,
        team: c.teamName ?? c.teamId ?? c.enterpriseName ?? c.enterpriseId,
        user: 'rolecall',
        team_id: c.orgWide ? c.enterpriseId : c.teamId,
        user_id: inst.botUserId,
        bot_id: inst.botId,
        ...(c.enterpriseId ? { enterprise_id: c.enterpriseId } : {}),
        is_enterprise_install: Boolean(c.orgWide),
      };
    },
  };
}
