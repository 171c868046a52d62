import type { ServerResponse } from 'node:http';
import type { App, AuthorizeResult, AuthorizeSourceData } from '@slack/bolt';
import {
  type CodedError,
  type Installation,
  type InstallationQuery,
  InstallProvider,
  type InstallURLOptions,
} from '@slack/oauth';
import { RolecallError } from '../../core/errors.ts';
import type { PolicyFile } from '../../core/policy-schema.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { InstallationRow, Installations } from '../../ports/installations.ts';
import type { TokenCipher } from '../crypto/token-cipher.ts';
import type { HttpRoute } from '../http/routes.ts';
import type { Logger } from '../log/logger.ts';
import { toSlackLogger } from './bolt-logger.ts';
import { createWebClient, type WebClientSettings } from './chat.ts';
import { sealedInstallationStore } from './installation-store.ts';
import { requiredBotScopes } from './manifest.ts';
import type { OAuthSettings } from './oauth-settings.ts';
import { type InstallRef, installRef, registerTenancyGuard, Tenancy } from './tenancy.ts';
import { WorkspaceChat } from './workspace-chat.ts';

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

export interface SlackOAuthDeps {
  settings: OAuthSettings;
  installations: Installations;
  cipher: TokenCipher;
  policy: PolicyFile;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  /** The tenant of a stored request, for refusing clicks on another tenant's requests. */
  requestTenant(requestId: string): Promise<string | undefined>;
  web: WebClientSettings;
}

export interface InstallSummary {
  active: number;
  uninstalled: number;
  revoked: number;
  /** Active installations that serve no tenant yet. */
  unbound: number;
}

export interface SlackOAuth {
  /** GET /slack/install and GET /slack/oauth_redirect, served next to /healthz (and /slack/events). */
  routes: HttpRoute[];
  /** Bolt's authorize: the installation's token for each incoming event, command and click. */
  authorize(source: AuthorizeSourceData<boolean>): Promise<AuthorizeResult>;
  /** The Chat port over every installation (each call with its own workspace's token). */
  chat: WorkspaceChat;
  tenancy: Tenancy;
  /** Uninstall handling and the tenant guard, before the listeners. */
  register(app: App): void;
  summary(): Promise<InstallSummary>;
}

/**
 * OAuth distribution with Bolt's InstallProvider (@slack/oauth): the Add to Slack page and the code
 * exchange, an installation store that keeps tokens sealed (crypto/token-cipher.ts) in Rolecall's
 * own store, token rotation (InstallProvider refreshes a token within 2 hours of expiry and saves
 * it back here), and per-installation authorization.
 */
export function createSlackOAuth(deps: SlackOAuthDeps): SlackOAuth {
  const log = deps.logger.child({ component: 'slack-oauth' });
  const scopes = requiredBotScopes();
  const tenancy = new Tenancy(deps.policy, deps.installations);
  const now = () => deps.clock.now().toISOString();

  const store = sealedInstallationStore({ ...deps, log, scopes, now });

  const { slackApiUrl, ...clientOptions } = {
    slackApiUrl: deps.web.apiUrl,
    retryConfig: deps.web.retry,
    timeout: deps.web.timeoutMs,
  };
  const installUrlOptions: InstallURLOptions = {
    scopes,
    ...(deps.settings.redirectUri ? { redirectUri: deps.settings.redirectUri } : {}),
  };
  const installer = new InstallProvider({
    clientId: deps.settings.clientId,
    clientSecret: deps.settings.clientSecret,
    stateSecret: deps.settings.stateSecret,
    installationStore: store,
    installUrlOptions,
    logger: toSlackLogger(deps.logger, 'slack-oauth'),
    clientOptions: {
      ...(slackApiUrl ? { slackApiUrl } : {}),
      ...Object.fromEntries(Object.entries(clientOptions).filter(([, v]) => v !== undefined)),
    },
    ...(deps.settings.authorizationUrl ? { authorizationUrl: deps.settings.authorizationUrl } : {}),
  });

  const authorize = async (source: AuthorizeSourceData<boolean>): Promise<AuthorizeResult> =>
    installer.authorize(source as InstallationQuery<boolean>);

  async function tokenForTenant(tenantId: string): Promise<string> {
    const tenant = deps.policy.tenants.find((t) => t.id === tenantId);
    const active = (await deps.installations.list()).filter((r) => r.status === 'active');
    const serving: InstallationRow[] = [];
    for (const r of active) if ((await tenancy.tenantsOf(refOf(r))).includes(tenantId)) serving.push(r);
    // An org-wide install covers every workspace of the org; otherwise the tenant's first listed team.
    const order = (r: InstallationRow) => {
      const i = tenant?.slack.teams.indexOf(r.id) ?? -1;
      return r.isEnterpriseInstall ? -1 : i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const pick = serving.sort((a, b) => order(a) - order(b))[0];
    if (!pick)
      throw new RolecallError('SLACK.API', `no active Slack installation serves tenant ${tenantId}`, {
        details: { tenant: tenantId, error: 'no_installation' },
      });
    const auth = await installer.authorize({
      teamId: pick.teamId,
      enterpriseId: pick.enterpriseId,
      isEnterpriseInstall: pick.isEnterpriseInstall,
    } as InstallationQuery<boolean>);
    if (!auth.botToken) throw new RolecallError('SLACK.API', `installation ${pick.id} has no bot token`);
    return auth.botToken;
  }

  async function removed(ref: InstallRef, event: 'app_uninstalled' | 'tokens_revoked'): Promise<void> {
    const tenants = await tenancy.tenantsOf(ref);
    const at = now();
    const found = await deps.installations.disable(
      ref.id,
      event === 'app_uninstalled' ? 'uninstalled' : 'revoked',
      at,
      event,
    );
    log.warn(
      { installation: ref.id, event, found, tenants },
      'installation removed by Slack; its token is deleted',
    );
    for (const tenantId of tenants)
      await deps.audit.append({
        kind: 'installation_removed',
        at,
        tenantId,
        installationId: ref.id,
        actor: { displayName: 'Slack' },
        outcome: event,
      });
  }

  return {
    routes: [
      {
        method: 'GET',
        path: INSTALL_PATH,
        handler: (req, res) => installer.handleInstallPath(req, res, undefined, installUrlOptions),
      },
      {
        method: 'GET',
        path: REDIRECT_PATH,
        handler: (req, res) =>
          installer.handleCallback(req, res, {
            successAsync: (inst, _o, _req, r) => installed(inst as Installation, r),
            failure: (err, _o, _req, r) => failed(err, r),
          }),
      },
    ],
    authorize,
    chat: new WorkspaceChat((token) => createWebClient(token, deps.web), tokenForTenant),
    tenancy,
    register(app) {
      registerTenancyGuard(app, { tenancy, log, requestTenant: deps.requestTenant, removed });
    },
    async summary() {
      const rows = await deps.installations.list();
      const s: InstallSummary = { active: 0, uninstalled: 0, revoked: 0, unbound: 0 };
      for (const r of rows) {
        s[r.status] += 1;
        if (r.status === 'active' && (await tenancy.tenantsOf(refOf(r))).length === 0) s.unbound += 1;
      }
      return s;
    },
  };

  async function installed(inst: Installation, res: ServerResponse): Promise<void> {
    const ref = installRef({
      teamId: inst.team?.id,
      enterpriseId: inst.enterprise?.id,
      isEnterpriseInstall: inst.isEnterpriseInstall,
    });
    const tenants = ref ? await tenancy.tenantsOf(ref) : [];
    const where = inst.isEnterpriseInstall ? inst.enterprise?.name : inst.team?.name;
    log.info(
      { installation: ref?.id, enterprise: inst.isEnterpriseInstall, tenants },
      'Slack installation stored',
    );
    page(
      res,
      200,
      `Rolecall is installed in ${where ?? ref?.id ?? 'your workspace'}.`,
      tenants.length
        ? 'It is ready: mention @Rolecall or use /rolecall.'
        : `It answers there once your Rolecall operator binds it to your organisation (installation id ${ref?.id ?? '?'}).`,
    );
  }

  function failed(err: CodedError, res: ServerResponse): void {
    log.warn({ code: err.code, message: err.message }, 'Slack installation failed');
    const ours = /state|code|authorization/i.test(err.code);
    page(
      res,
      ours ? 400 : 502,
      'Rolecall could not be installed.',
      `Start again from ${INSTALL_PATH} (${err.code}).`,
    );
  }
}

export const refOf = (r: InstallationRow): InstallRef => ({
  id: r.id,
  teamId: r.teamId,
  enterpriseId: r.enterpriseId,
  isEnterpriseInstall: r.isEnterpriseInstall,
});

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    .end(
      `<!doctype html><html><head><meta charset="utf-8"><title>Rolecall</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`,
    );
}
