import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { UseCases } from '../../app/inbound.ts';
import { RolecallError } from '../../core/errors.ts';
import type { Chat } from '../../ports/chat.ts';
import { allRoutes, boundPort, closeServer, type HttpRoute, startRouteServer } from '../http/routes.ts';
import type { Logger } from '../log/logger.ts';
import { checkApprovalChannels } from './approval-channels.ts';
import { toSlackLogger } from './bolt-logger.ts';
import { type RetryOptions, SlackChat, webClientOptions } from './chat.ts';
import { BAD_TOKEN, toSlackError } from './errors.ts';
import { InFlight } from './inflight.ts';
import { registerListeners } from './listeners.ts';
import type { SlackOAuth } from './oauth.ts';
import { type SlackEnv, slackSettings } from './settings.ts';

/** Where Slack posts events, commands and interactions in HTTP mode; no operator route may take it. */
export const EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  env: SlackEnv;
  /** The use cases, or a factory given this app's Chat (use cases usually need the Chat port). */
  useCases: UseCases | ((chat: Chat) => UseCases);
  logger: Logger;
  /** Extra HTTP routes such as GET /metrics and GET /readyz; /healthz is built in. */
  routes?: HttpRoute[];
  /** WebClient retry policy (bounded by default); tests pass a fast one. */
  retry?: RetryOptions;
  /** How long `stop()` waits for use cases already started. Default 10 s. */
  drainTimeoutMs?: number;
  /** Approval channels checked at start-up: the bot must be able to post there (logged, not fatal). */
  approvalChannels?: string[];
  /** OAuth distribution (oauth.ts): per-installation tokens instead of SLACK_BOT_TOKEN. */
  oauth?: SlackOAuth;
}

export interface SlackApp {
  readonly mode: 'socket' | 'http';
  /** Verifies the bot token (auth.test), then listens; rejects with CONFIG.INVALID naming the variable. */
  start(): Promise<void>;
  /** Stops receiving, then waits (bounded) for use cases already running. */
  stop(): Promise<void>;
  readonly chat: Chat;
  /** The bound HTTP port once started (useful with PORT=0). */
  readonly port: number | undefined;
  /**
   * Started, the bot token still accepted (no token_revoked / account_inactive / app_uninstalled
   * seen since) and, in Socket Mode, the WebSocket open right now (for /readyz).
   */
  readonly connected: boolean;
  /** Why the bot token stopped working, once Slack said so. */
  readonly authLost: string | undefined;
  /** Approval channels the bot cannot post in, with Slack's reason (checked at start). */
  readonly approvalChannelProblems: { channel: string; reason: string }[];
  /**
   * Resolves when no use case started after an ack is still running, its follow-ups (a card
   * replaced through response_url) included: tests wait on it instead of on a reply.
   */
  idle(): Promise<void>;
}

function startError(err: unknown, key: string, method: string): RolecallError {
  if (err instanceof webApi.WebAPIPlatformError && BAD_TOKEN.has(String(err.data.error)))
    return new RolecallError('CONFIG.INVALID', `${key}: rejected by Slack (${err.data.error})`, {
      cause: err,
      details: { key, error: err.data.error },
    });
  return toSlackError(err, method);
}

export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const settings = slackSettings(opts.env);
  const log = opts.logger.child({ component: 'slack', mode: settings.mode });
  const boltLogger = toSlackLogger(opts.logger, 'bolt');
  const routes = allRoutes([...(opts.routes ?? []), ...(opts.oauth?.routes ?? [])], log, [EVENTS_PATH]);
  const clientOptions = webClientOptions({
    ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
    logger: opts.logger,
  });

  const receiver =
    settings.mode === 'socket'
      ? new SocketModeReceiver({
          appToken: settings.appToken,
          logger: boltLogger,
          // The Socket Mode client makes its own WebClient for apps.connections.open; this is how it gets ours.
          installerOptions: { clientOptions: { ...clientOptions } },
        })
      : new HTTPReceiver({
          signingSecret: settings.signingSecret,
          endpoints: EVENTS_PATH,
          customRoutes: routes,
          logger: boltLogger,
          processBeforeResponse: false,
        });

  const app = new App({
    ...(opts.oauth ? { authorize: opts.oauth.authorize } : { token: settings.botToken }),
    receiver,
    clientOptions,
    logger: boltLogger,
    convoStore: false,
    // auth.test runs in start(), where a bad token becomes one clear error instead of a stray rejection.
    deferInitialization: true,
  });
  app.error(async (err) => {
    log.error({ err }, 'Slack event processing failed');
  });

  let authLost: string | undefined;
  const onAuthLost = (reason: string) => {
    // With OAuth distribution one workspace's uninstall or revoked token says nothing of the others:
    // its installation records it (tenancy.ts) and readiness counts installs instead.
    if (opts.oauth) return;
    if (!authLost) log.error({ reason }, 'Slack no longer accepts the bot token: not ready');
    authLost ??= reason;
  };
  const chat = opts.oauth ? opts.oauth.chat : new SlackChat(app.client, onAuthLost);
  const useCases = typeof opts.useCases === 'function' ? opts.useCases(chat) : opts.useCases;
  const work = new InFlight(log);
  // views.open only; in OAuth mode it has no token of its own and each call passes its workspace's.
  const views = new webApi.WebClient(settings.botToken, {
    ...clientOptions,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 2_500,
  });
  opts.oauth?.register(app);
  registerListeners(app, { useCases, log, work, views, onAuthLost });
  let approvalChannelProblems: { channel: string; reason: string }[] = [];

  let server: Server | undefined;
  let started = false;

  return {
    mode: settings.mode,
    chat,
    get port() {
      return server ? boundPort(server) : undefined;
    },
    get authLost() {
      return authLost;
    },
    get approvalChannelProblems() {
      return approvalChannelProblems;
    },
    get connected() {
      if (!started || authLost) return false;
      return receiver instanceof SocketModeReceiver ? receiver.client.websocket?.isActive() === true : true;
    },
    idle: () => work.idle(),
    async start() {
      if (started) throw new RolecallError('INTERNAL', 'the Slack app is already started');
      try {
        await app.init();
      } catch (err) {
        throw startError(err, 'SLACK_BOT_TOKEN', 'auth.test');
      }
      // With OAuth each tenant's channels belong to its own installation: `doctor` checks those.
      if (!opts.oauth)
        approvalChannelProblems = await checkApprovalChannels(chat, opts.approvalChannels ?? []);
      for (const p of approvalChannelProblems)
        log.error(p, 'the bot cannot post in this approval channel: approvers will not be asked there');
      const { port, host } = settings;
      if (receiver instanceof SocketModeReceiver) {
        server = await startRouteServer(routes, port, host);
        try {
          await app.start();
        } catch (err) {
          await closeServer(server);
          server = undefined;
          throw startError(err, 'SLACK_APP_TOKEN', 'apps.connections.open');
        }
      } else {
        server = (await app.start({ port, host })) as Server;
      }
      started = true;
      log.info(
        { port: boundPort(server), host },
        `Slack ${settings.mode === 'socket' ? 'Socket Mode' : 'HTTP'} app started`,
      );
    },
    async stop() {
      if (!started) return;
      started = false;
      if (receiver instanceof SocketModeReceiver) {
        // Bolt's stop() does not wait for the socket to close; the client's disconnect() does.
        await receiver.client.disconnect();
        if (server) await closeServer(server);
      } else {
        await app.stop();
      }
      const drained = await work.drain(opts.drainTimeoutMs ?? 10_000);
      if (!drained) log.warn({ pending: work.size }, 'stopped with use cases still running');
    },
  };
}
