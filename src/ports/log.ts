/**
 * AppLogger: the logging the use cases need. Contract: never throws and never blocks on I/O;
 * `obj` holds facts (ids, codes, counts), never tokens or message text beyond what the caller chose;
 * `child` returns a logger whose lines carry `bindings` too. pino satisfies it.
 */
export interface AppLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): AppLogger;
}

/**
 * LogScope: log fields of the work in progress (request id, tenant, requester, target).
 * Contract: `run` opens a scope (inheriting the enclosing one's fields) for the whole async call
 * tree of `fn` and resolves or rejects as `fn` does; `bind` adds fields to the current scope as
 * they become known and is a no-op outside one. Every log line written inside the scope, by any
 * layer, carries them. Scopes never leak across concurrent calls.
 */
export interface LogScope {
  run<T>(fields: Record<string, unknown>, fn: () => Promise<T>): Promise<T>;
  bind(fields: Record<string, unknown>): void;
}
