import pino, { type Logger } from 'pino';

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
    },
    opts.destination,
  );
}

/** Every line of one request's work carries its id, tenant and the people involved. */
export function requestLogger(
  log: Logger,
  ctx: { requestId: string; tenantId?: string; requester?: string; target?: string },
): Logger {
  return log.child(ctx);
}
