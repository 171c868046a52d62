import type { PolicyFile, Tenant } from '../core/policy-schema.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { Chat } from '../ports/chat.ts';
import type { Clock, IdGenerator } from '../ports/clock.ts';
import type { Directories } from '../ports/directory.ts';
import type { IntentExtractor } from '../ports/intent-extractor.ts';
import type { EventDeduplicator, RequestStore } from '../ports/request-store.ts';

/** Minimal logger surface the use cases need (pino satisfies it). */
export interface AppLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): AppLogger;
}

/**
 * Log fields of the work in progress (request id, tenant, requester, target): `run` opens a scope
 * (inheriting the enclosing one's fields), `bind` adds fields to the current scope as they become
 * known. Every log line written inside the scope, by any layer, carries them.
 */
export interface LogScope {
  run<T>(fields: Record<string, unknown>, fn: () => Promise<T>): Promise<T>;
  bind(fields: Record<string, unknown>): void;
}

/** Optional observers for metrics; every hook is fire-and-forget. */
export interface AppObserver {
  /** A request reached applied, failed, denied, rejected, expired or cancelled (from lifecycle.ts). */
  requestOutcome?(outcome: string): void;
  policyDenied?(reason: string): void;
  /** From the request's creation to allowed, denied, approved or rejected (from lifecycle.ts). */
  decisionLatency?(ms: number): void;
  /** From the decision (the save that made it approved) to the directory change landing. */
  applyLatency?(ms: number): void;
  /** A message to people could not be delivered (`what`: approval request, outcome…; Slack's reason). */
  deliveryFailed?(what: string, reason: string): void;
}

/** Everything a use case may touch, injected by the composition root (src/main.ts) or a test. */
export interface AppDeps {
  policy: PolicyFile;
  directories: Directories;
  extractor: IntentExtractor;
  requests: RequestStore;
  events: EventDeduplicator;
  audit: AuditLog;
  chat: Chat;
  clock: Clock;
  ids: IdGenerator;
  log: AppLogger;
  /** Without one, log lines carry no request fields (tests of single use cases). */
  logScope?: LogScope;
  observer?: AppObserver;
}

export function tenantById(policy: PolicyFile, id: string): Tenant | undefined {
  return policy.tenants.find((t) => t.id === id);
}

export function tenantForTeam(policy: PolicyFile, teamId: string | undefined): Tenant | undefined {
  return teamId ? policy.tenants.find((t) => t.slack.teams.includes(teamId)) : undefined;
}

export function tenantForSharedChannel(policy: PolicyFile, channelId: string): Tenant | undefined {
  return policy.tenants.find((t) => t.slack.sharedChannels.includes(channelId));
}
