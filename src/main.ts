/**
 * Composition root: config → adapters → use cases → a chat surface (Slack, or the local playground
 * in src/playground). Nothing else wires things. `rolecall start` (src/cli/start.ts) picks the
 * surface; this module never imports the playground, which builds on startSurface here.
 */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
// OAuth distribution (issue 17).
import { createTokenCipher } from './adapters/crypto/token-cipher.ts';
import type { HttpRoute } from './adapters/http/routes.ts';
import { clockIds } from './adapters/ids/ids.ts';
import { createIntentExtractor } from './adapters/intent/index.ts';
import { createLogger, type Logger, logScope } from './adapters/log/logger.ts';
import { createMetrics, type Metrics } from './adapters/metrics/metrics.ts';
import { operatorOnly } from './adapters/metrics/operator-access.ts';
import { openDirectories, type ScimDirectories } from './adapters/scim/index.ts';
import { createSlackApp, type SlackApp } from './adapters/slack/app.ts';
import type { RetryOptions } from './adapters/slack/chat.ts';
import { createSlackOAuth, type SlackOAuth } from './adapters/slack/oauth.ts';
import { oauthSettings } from './adapters/slack/oauth-settings.ts';
import { slackSettings } from './adapters/slack/settings.ts';
import { withTenantScope } from './adapters/slack/workspace-chat.ts';
import { openInstallations } from './adapters/store/installations.ts';
import { openStores, type StoreSet } from './adapters/store/open.ts';
import type { AppDeps } from './app/deps.ts';
import type { UseCases } from './app/inbound.ts';
import { createUseCases } from './app/use-cases.ts';
import { type Config, loadConfig } from './config.ts';
import type { Chat } from './ports/chat.ts';
import { type Clock, type IdGenerator, systemClock } from './ports/clock.ts';
import type { Installations } from './ports/installations.ts';
import type { IntentExtractor } from './ports/intent-extractor.ts';
import { startScheduler } from './scheduler.ts';

export interface RolecallOptions {
  env: NodeJS.ProcessEnv;
  config?: Config;
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  extractor?: IntentExtractor;
  /** How often due work (revocations, expiry, recovery) is looked for. Default 15 s. */
  schedulerIntervalMs?: number;
  slackRetry?: RetryOptions;
  scimSleep?: (ms: number) => Promise<void>;
}

/** Where people talk to Rolecall: the Slack app, or the playground's web page. */
export interface Surface {
  readonly mode: string;
  readonly port: number | undefined;
  /** True while people can reach Rolecall through it (Slack socket open, page listening): /readyz. */
  readonly connected: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What a surface is built from: the use cases (given its Chat) and the operator routes to serve. */
export interface SurfaceWiring {
  config: Config;
  logger: Logger;
  useCases: (chat: Chat) => UseCases;
  /** GET /metrics and GET /readyz; the surface serves them next to /healthz. */
  routes: HttpRoute[];
  stores: StoreSet;
  /** Set when OAuth distribution is on (SLACK_CLIENT_ID…): the installation store. */
  installations?: Installations;
  clock: Clock;
  /** The surface reports its OAuth side here, for /readyz. */
  onOAuth?: (oauth: SlackOAuth) => void;
}

export interface Running<S extends Surface> {
  deps: AppDeps;
  surface: S;
  stores: StoreSet;
  directories: ScimDirectories;
  metrics: Metrics;
  /** Runs the scheduled work once now (tests, and at start); the argument overrides the recovery grace. */
  tick(recoveryGraceMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface Rolecall extends Running<SlackApp> {
  slack: SlackApp;
}

/** Builds and starts the whole bot. Everything injectable is injectable here, for tests. */
export async function startRolecall(opts: RolecallOptions): Promise<Rolecall> {
  const config = opts.config ?? loadConfig(opts.env);
  // Fail on missing or contradictory Slack settings before touching the store (no data dir, no migration).
  slackSettings(config.env);
  const running = await startSurface({ ...opts, config }, (w) =>
    createSlackApp({
      env: w.config.env,
      useCases: w.useCases,
      logger: w.logger,
      ...(opts.slackRetry ? { retry: opts.slackRetry } : {}),
      routes: w.routes,
      approvalChannels: w.config.policy.tenants.flatMap((t) => t.slack.approvalChannel ?? []),
      ...(w.installations ? { oauth: slackOAuth(w, w.installations, opts.slackRetry) } : {}),
    }),
  );
  return { ...running, slack: running.surface };
}

/** The OAuth side of the Slack app, over the installation store (tokens sealed with ROLECALL_ENCRYPTION_KEY). */
function slackOAuth(w: SurfaceWiring, installations: Installations, retry?: RetryOptions): SlackOAuth {
  const env = w.config.env;
  const oauth = createSlackOAuth({
    settings: oauthSettings(env)!,
    installations,
    cipher: createTokenCipher(env.ROLECALL_ENCRYPTION_KEY),
    policy: w.config.policy,
    clock: w.clock,
    logger: w.logger,
    audit: w.stores.audit,
    requestTenant: async (id) => (await w.stores.requests.get(id))?.tenantId,
    web: {
      ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}),
      ...(retry ? { retry } : {}),
      logger: w.logger,
    },
  });
  w.onOAuth?.(oauth);
  return oauth;
}

/** The same stores, directories, extractor, scheduler and metrics behind any surface. */
export async function startSurface<S extends Surface>(
  opts: RolecallOptions & { config: Config },
  makeSurface: (wiring: SurfaceWiring) => S,
): Promise<Running<S>> {
  const config = opts.config;
  const log = opts.logger ?? createLogger({ level: config.env.LOG_LEVEL });
  const clock = opts.clock ?? systemClock;
  // OAuth distribution: a half-set OAuth config or a missing/bad key stops the start before the store opens.
  const oauthOn = oauthSettings(config.env) !== undefined;
  if (oauthOn) createTokenCipher(config.env.ROLECALL_ENCRYPTION_KEY);
  const stores = await openStores({ env: config.env, logger: log, clock });
  let installations: Installations | undefined;
  let oauth: SlackOAuth | undefined;
  if (oauthOn) {
    installations = await openInstallations(stores, clock).catch(async (err: unknown) => {
      await stores.close();
      throw err;
    });
  }
  const metrics = createMetrics({ requests: stores.requests });
  const directories = openDirectories({
    tenants: config.policy.tenants,
    env: opts.env,
    logger: log,
    clock,
    onCall: (method, outcome, code) => metrics.scimCall(method, outcome, code),
    ...(opts.scimSleep ? { sleep: opts.scimSleep } : {}),
  });
  const extractor =
    opts.extractor ??
    (await createIntentExtractor({
      env: config.env,
      logger: log,
      metrics: {
        call: (e) => metrics.llmCall(e.outcome, e.latencyMs / 1000),
        fallback: (e) => metrics.llmFallback(e.reason),
      },
    }));
  let deps: AppDeps | undefined;
  // The use cases talk back through the surface's Chat, so the surface builds them with it.
  const surface = makeSurface({
    config,
    logger: log,
    stores,
    clock,
    ...(installations ? { installations } : {}),
    onOAuth: (o) => {
      oauth = o;
    },
    useCases: (chat) => {
      deps = {
        policy: config.policy,
        directories,
        extractor,
        requests: stores.requests,
        events: stores.events,
        audit: stores.audit,
        chat,
        clock,
        ids: opts.ids ?? clockIds(clock),
        log,
        // With OAuth, scheduled work answers with its request's tenant's installation.
        logScope: installations ? withTenantScope(logScope) : logScope,
        observer: metrics.observer,
      };
      return createUseCases(deps);
    },
    // Operator endpoints: bearer token, or loopback only (src/adapters/metrics/operator-access.ts).
    routes: operatorOnly(config.env.ROLECALL_OPS_TOKEN, [
      {
        method: 'GET',
        path: '/metrics',
        handler: async (_req, res) => {
          res
            .writeHead(200, { 'content-type': metrics.registry.contentType })
            .end(await metrics.registry.metrics());
        },
      },
      {
        method: 'GET',
        path: '/readyz',
        handler: async (_req, res) => {
          const storeOk = await stores.requests.ping().catch(() => false);
          const slackOk = surface.connected;
          const ok = storeOk && slackOk;
          const installs = oauth ? await oauth.summary().catch(() => 'unavailable') : undefined;
          res
            .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ ok, store: storeOk, slack: slackOk, ...(installs ? { installs } : {}) }));
        },
      },
    ]),
  });
  const scheduler = startScheduler(deps!, opts.schedulerIntervalMs ?? 15_000);
  // SQLite serves one process, so whatever it left mid-change was abandoned by a crash: recover it
  // before anyone can click, so recovery never races this process's own new work. On MongoDB
  // another process may still be working on it, so the grace period applies (in the tick below).
  if (stores.kind === 'sqlite') await scheduler.recover(0);
  try {
    await surface.start();
  } catch (err) {
    await scheduler.stop();
    await stores.close();
    throw err;
  }
  log.info(
    {
      mode: surface.mode,
      port: surface.port,
      store: stores.kind,
      tenants: config.policy.tenants.map((t) => t.id),
    },
    'Rolecall started',
  );
  await scheduler.tick();
  return {
    deps: deps!,
    surface,
    stores,
    directories,
    metrics,
    tick: scheduler.tick,
    async stop() {
      await scheduler.stop();
      await surface.stop();
      await directories.close();
      await stores.close();
    },
  };
}

/**
 * `npm start` opens the playground only on a fresh checkout: no Slack setting, no policy file
 * (ROLECALL_CONFIG, else ./rolecall.yml) and not NODE_ENV=production. A deployment that lost its
 * Slack secrets must fail loudly, not pass /healthz on a demo store while its due revocations wait.
 */
export const wantsPlayground = (env: NodeJS.ProcessEnv) =>
  !env.SLACK_BOT_TOKEN?.trim() &&
  !env.SLACK_APP_TOKEN?.trim() &&
  !env.SLACK_SIGNING_SECRET?.trim() &&
  !env.SLACK_CLIENT_ID?.trim() &&
  env.NODE_ENV?.trim() !== 'production' &&
  !existsSync(resolve(env.ROLECALL_CONFIG?.trim() || './rolecall.yml'));
