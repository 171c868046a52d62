/** Composition root: config → adapters → use cases → Slack listeners. Nothing else wires things. */

import { randomIds } from './adapters/ids/ids.ts';
import { createIntentExtractor } from './adapters/intent/index.ts';
import { createLogger, type Logger, logScope } from './adapters/log/logger.ts';
import { createMetrics, type Metrics } from './adapters/metrics/metrics.ts';
import { codeForStatus } from './adapters/scim/errors.ts';
import { createScimDirectories, type ScimDirectories } from './adapters/scim/index.ts';
import { createSlackApp, type SlackApp } from './adapters/slack/app.ts';
import type { RetryOptions } from './adapters/slack/chat.ts';
import { slackSettings } from './adapters/slack/settings.ts';
import { openStores, type StoreSet } from './adapters/store/open.ts';
import type { AppDeps } from './app/deps.ts';
import { createUseCases } from './app/use-cases.ts';
import { type Config, loadConfig } from './config.ts';
import { type Clock, type IdGenerator, systemClock } from './ports/clock.ts';
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

export interface Rolecall {
  deps: AppDeps;
  slack: SlackApp;
  stores: StoreSet;
  directories: ScimDirectories;
  metrics: Metrics;
  /** Runs the scheduled work once now (tests, and at start). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds and starts the whole bot. Everything injectable is injectable here, for tests. */
export async function startRolecall(opts: RolecallOptions): Promise<Rolecall> {
  const config = opts.config ?? loadConfig(opts.env);
  // Fail on missing or contradictory Slack settings before touching the store (no data dir, no migration).
  slackSettings(config.env);
  const log = opts.logger ?? createLogger({ level: config.env.LOG_LEVEL });
  const clock = opts.clock ?? systemClock;
  const stores = await openStores({ env: config.env, logger: log, clock });
  const metrics = createMetrics({ requests: stores.requests });
  const directories = createScimDirectories({
    tenants: config.policy.tenants,
    env: opts.env,
    logger: log,
    extra: {
      onRequest: (e) =>
        metrics.scimCall(
          e.method,
          e.error ?? String(e.status ?? 'none'),
          e.error ?? (e.status !== undefined && e.status >= 400 ? codeForStatus(e.status) : undefined),
        ),
      ...(opts.scimSleep ? { sleep: opts.scimSleep } : {}),
    },
  });
  const extractor =
    opts.extractor ??
    createIntentExtractor({
      env: config.env,
      logger: log,
      metrics: {
        call: (e) => metrics.llmCall(e.outcome, e.latencyMs / 1000),
        fallback: (e) => metrics.llmFallback(e.reason),
      },
    });
  let deps: AppDeps | undefined;
  // The use cases talk back through the Slack app's Chat, so the app builds them with it.
  const slack = createSlackApp({
    env: config.env,
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
        ids: opts.ids ?? randomIds,
        log,
        logScope,
        observer: metrics.observer,
      };
      return createUseCases(deps);
    },
    logger: log,
    ...(opts.slackRetry ? { retry: opts.slackRetry } : {}),
    routes: [
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
          const slackOk = slack.connected;
          const ok = storeOk && slackOk;
          res
            .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ ok, store: storeOk, slack: slackOk }));
        },
      },
    ],
  });
  const scheduler = startScheduler(deps!, opts.schedulerIntervalMs ?? 15_000);
  try {
    await slack.start();
  } catch (err) {
    scheduler.stop();
    await stores.close();
    throw err;
  }
  log.info(
    {
      mode: slack.mode,
      port: slack.port,
      store: stores.kind,
      tenants: config.policy.tenants.map((t) => t.id),
    },
    'Rolecall started',
  );
  await scheduler.tick();
  return {
    deps: deps!,
    slack,
    stores,
    directories,
    metrics,
    tick: scheduler.tick,
    async stop() {
      scheduler.stop();
      await slack.stop();
      await directories.close();
      await stores.close();
    },
  };
}

/** `rolecall start`: runs until SIGINT/SIGTERM. */
export async function start(env: NodeJS.ProcessEnv): Promise<number> {
  const app = await startRolecall({ env });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  app.deps.log.info({}, 'stopping');
  await app.stop();
  return 0;
}
