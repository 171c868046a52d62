import type { PolicyFile, Tenant } from '../core/policy-schema.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { Chat } from '../ports/chat.ts';
import type { Clock, IdGenerator } from '../ports/clock.ts';
import type { Directories } from '../ports/directory.ts';
import type { IntentExtractor } from '../ports/intent-extractor.ts';
import type { AppLogger, LogScope } from '../ports/log.ts';
import type { AppObserver } from '../ports/observer.ts';
import type { EventDeduplicator, RequestStore } from '../ports/request-store.ts';

// The log and observer ports live in src/ports/; re-exported for the use cases that import them from here.
export type { AppLogger, LogScope } from '../ports/log.ts';
export type { AppObserver } from '../ports/observer.ts';

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
