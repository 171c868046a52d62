import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/adapters/log/logger.ts';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../src/adapters/slack/app.ts';
import type { RetryOptions } from '../../src/adapters/slack/chat.ts';
import type { SlackEnv } from '../../src/adapters/slack/settings.ts';
import { type RecordingUseCases, recordingUseCases } from './recording-use-cases.ts';

/** Retries without real backoff so 429 tests stay fast; Retry-After itself is still honoured. */
export const FAST_RETRY: RetryOptions = {
  retries: 2,
  factor: 1,
  minTimeout: 0,
  maxTimeout: 0,
  randomize: false,
};
export const SIGNING_SECRET = 'rolecall-test-signing-secret-0123456789';

/** A logger whose lines the test can read (JSON objects). */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n'))
        if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination: sink }), lines };
}

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

export interface Started {
  app: SlackApp;
  useCases: RecordingUseCases;
  lines: Record<string, unknown>[];
  eventsUrl: string;
  baseUrl: string;
}

export async function startApp(
  env: Partial<SlackEnv>,
  extra: Partial<Omit<SlackAppOptions, 'env' | 'useCases' | 'logger'>> = {},
): Promise<Started> {
  const useCases = recordingUseCases();
  const { logger, lines } = captureLogger();
  const app = createSlackApp({
    env: slackEnv(env),
    useCases,
    logger,
    retry: FAST_RETRY,
    drainTimeoutMs: 2_000,
    ...extra,
  });
  await app.start();
  const baseUrl = `http://127.0.0.1:${app.port}`;
  return { app, useCases, lines, baseUrl, eventsUrl: `${baseUrl}/slack/events` };
}
