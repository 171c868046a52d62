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
  return {
    debug: (...m: unknown[]) => child.debug(text(m)),
    info: (...m: unknown[]) => child.info(text(m)),
    warn: (...m: unknown[]) => child.warn(text(m)),
    error: (...m: unknown[]) => child.error(text(m)),
    setLevel: () => {},
    getLevel: () => slackLevel(child.level),
    setName: (name: string) => {
      child = log.child({ component: `${component}:${name}` });
    },
  };
}
