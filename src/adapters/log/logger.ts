import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';
import type { LogScope } from '../../ports/log.ts';

export type { Logger };

/**
 * Paths pino censors wherever they appear. Tokens travel in headers and config-like objects;
 * emails are fine in audit records but not inside secrets (basic-auth usernames, tokens).
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.Authorization',
  '*.headers.Authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'botToken',
  'appToken',
  'signingSecret',
  'env.SLACK_BOT_TOKEN',
  'env.SLACK_APP_TOKEN',
  'env.SLACK_SIGNING_SECRET',
  'env.ANTHROPIC_API_KEY',
  'env.MONGODB_URI',
  'env.ROLECALL_AUDIT_KEYS',
];

const SECRET_PATTERNS: [RegExp, string][] = [
  [/xox[abpors]-[A-Za-z0-9-]+/g, 'xox?-[REDACTED]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-[REDACTED]'],
  [/sk-ant-[A-Za-z0-9_-]+/g, 'sk-ant-[REDACTED]'],
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  [/(mongodb(?:\+srv)?:\/\/)[^@/\s]+@/g, '$1[REDACTED]@'],
];

/** Scrubs secrets that slipped into free text (error messages, URLs) before they are logged. */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((t, [re, rep]) => t.replace(re, rep), text);
}

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { app: 'rolecall' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: {
        err: (err: unknown) => {
          const s = pino.stdSerializers.err(err as Error);
          if (s?.message) s.message = scrubSecrets(s.message);
          if (s?.stack) s.stack = scrubSecrets(s.stack);
          return s;
        },
      },
      formatters: { level: (label) => ({ level: label }) },
      // Request fields (requestId, tenant, requesterId, targetId) of the work in progress.
      // A copy: pino merges the call's own fields into what the mixin returns.
      mixin: () => ({ ...scope.getStore() }),
    },
    opts.destination,
  );
}

const scope = new AsyncLocalStorage<Record<string, unknown>>();

/**
 * Every line logged while one request is handled carries its fields — including lines from the
 * SCIM, Slack and LLM adapters, which know nothing about requests. A child logger per request
 * would have to be threaded through every adapter call; an AsyncLocalStorage read by pino's
 * `mixin` reaches them all, so that is the simpler of the two here. Any logger made by
 * createLogger (and its children) includes the fields; the log call's own fields win.
 */
export const logScope: LogScope = {
  run: (fields, fn) => scope.run({ ...scope.getStore(), ...defined(fields) }, fn),
  bind(fields) {
    const store = scope.getStore();
    if (store) Object.assign(store, defined(fields));
  },
};

function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
