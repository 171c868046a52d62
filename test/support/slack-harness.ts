import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/adapters/log/logger.ts';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../src/adapters/slack/app.ts';
import type { RetryOptions } from '../../src/adapters/slack/chat.ts';
import type { SlackEnv } from '../../src/adapters/slack/settings.ts';

/** Retries without backoff so 429 tests stay fast; the WebClient still waits Retry-After itself. */
export const FAST_RETRY: RetryOptions = {
  retries: 2,
  factor: 1,
  minTimeout: 0,
  maxTimeout: 0,
  randomize: false,
};
export const SIGNING_SECRET = 'rolecall-test-signing-secret-0123456789';

/** A logger whose lines the test can read back as JSON objects. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n'))
        if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level, destination: sink }), lines };
}

/** The Slack part of the environment: nothing set, PORT 0 on 127.0.0.1, plus `over`. */
export function slackEnv(over: Partial<SlackEnv>): SlackEnv {
  return {
    SLACK_BOT_TOKEN: undefined,
    SLACK_APP_TOKEN: undefined,
    SLACK_SIGNING_SECRET: undefined,
    SLACK_API_URL: undefined,
    PORT: 0,
    HOST: '127.0.0.1',
    ...over,
  };
}

export interface StartedSlackApp {
  app: SlackApp;
  lines: Record<string, unknown>[];
  /** `http://127.0.0.1:{port}`: /healthz and extra routes (both modes). */
  baseUrl: string;
  /** `{baseUrl}/slack/events`: where signed events, commands and interactions go (HTTP mode). */
  eventsUrl: string;
}

/**
 * Starts the real Slack app on a random port against the given env (point SLACK_API_URL at a
 * startSlackEmulator().apiUrl). HTTP mode with SLACK_SIGNING_SECRET, Socket Mode with SLACK_APP_TOKEN.
 */
export async function startSlackTestApp(
  useCases: SlackAppOptions['useCases'],
  env: Partial<SlackEnv>,
  extra: Partial<Omit<SlackAppOptions, 'env' | 'useCases'>> = {},
): Promise<StartedSlackApp> {
  const captured = captureLogger();
  const app = createSlackApp({
    env: slackEnv(env),
    useCases,
    logger: captured.logger,
    retry: FAST_RETRY,
    drainTimeoutMs: 2_000,
    ...extra,
  });
  await app.start();
  const baseUrl = `http://127.0.0.1:${app.port}`;
  return { app, lines: captured.lines, baseUrl, eventsUrl: `${baseUrl}/slack/events` };
}
