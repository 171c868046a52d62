import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import { type Logger, scrubSecrets } from '../log/logger.ts';

function text(parts: unknown[]): string {
  return scrubSecrets(
    parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : safeJson(p))).join(' '),
  );
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function slackLevel(level: string): LogLevel {
  if (level === 'trace' || level === 'debug') return LogLevel.DEBUG;
  if (level === 'info') return LogLevel.INFO;
  if (level === 'warn') return LogLevel.WARN;
  return LogLevel.ERROR;
}

/**
 * Bolt, the WebClient and the Socket Mode client log through this into our pino logger. Their level
 * stays ours: `setLevel` from the SDK is ignored so an SDK default can never turn on payload dumps.
 */
export function toSlackLogger(log: Logger, component = 'slack'): SlackLogger {
  let child = log.child({ component });
  // The WebClient logs every request and answer at debug (whole block payloads as JSON): joining
  // and scrubbing that text only to have pino drop it was a measurable share of each Slack call's
  // CPU and garbage (BENCHMARKS.md), so a disabled level costs nothing here.
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...m: unknown[]) => {
      if (child.isLevelEnabled(level)) child[level](text(m));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => {},
    getLevel: () => slackLevel(child.level),
    setName: (name: string) => {
      child = log.child({ component: `${component}:${name}` });
    },
  };
}
