import type { Dispatcher } from 'undici';
import { RolecallError } from '../../core/errors.ts';
import type { Tenant } from '../../core/policy-schema.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Directories } from '../../ports/directory.ts';
import type { Logger } from '../log/logger.ts';
import { createScimDirectory, type ScimDirectory, type ScimDirectoryOptions } from './directory.ts';
import { codeForStatus } from './errors.ts';

export {
  createScimDirectory,
  DEFAULT_MAX_RESPONSE_BYTES,
  type ScimDirectory,
  type ScimDirectoryOptions,
} from './directory.ts';
export { quote as scimQuote } from './filter.ts';
export type { ScimRequestEvent, ScimStats } from './http.ts';
export type { Finding as ScimFinding } from './survey.ts';

export interface ScimDirectories extends Directories {
  forTenant(tenantId: string): ScimDirectory;
  close(): Promise<void>;
  /** Closes every directory, aborting requests still in flight. */
  destroy(): Promise<void>;
}

/** One lazily created SCIM directory per tenant, sharing the options. */
export function createScimDirectories(o: {
  tenants: readonly Tenant[];
  env: NodeJS.ProcessEnv;
  logger: Logger;
  dispatcher?: Dispatcher;
  extra?: Partial<Omit<ScimDirectoryOptions, 'tenant' | 'env' | 'logger' | 'dispatcher'>>;
}): ScimDirectories {
  const made = new Map<string, ScimDirectory>();
  return {
    forTenant(tenantId) {
      const existing = made.get(tenantId);
      if (existing) return existing;
      const tenant = o.tenants.find((t) => t.id === tenantId);
      if (!tenant) throw new RolecallError('CONFIG.INVALID', `no tenant "${tenantId}" in the config`);
      const dir = createScimDirectory({
        ...o.extra,
        tenant,
        env: o.env,
        logger: o.logger,
        ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
      });
      made.set(tenantId, dir);
      return dir;
    },
    async close() {
      await Promise.all([...made.values()].map((d) => d.close()));
      made.clear();
    },
    async destroy() {
      await Promise.all([...made.values()].map((d) => d.destroy()));
      made.clear();
    },
  };
}

/**
 * The one way Rolecall builds its directories: the bot (src/main.ts), `rolecall doctor`,
 * `rolecall policy explain --requester` and `rolecall reconcile`. Every tenant of the policy, lazily;
 * secrets read from the raw environment (the tenant names the variables); the injected clock for
 * Retry-After dates and cached group ids; each SCIM call reported to `onCall` (the bot's metrics:
 * method, status or transport fault, error code for a fault).
 */
export function openDirectories(o: {
  tenants: readonly Tenant[];
  env: NodeJS.ProcessEnv;
  logger: Logger;
  clock?: Clock;
  onCall?: (method: string, outcome: string, errorCode?: string) => void;
  sleep?: (ms: number) => Promise<void>;
}): ScimDirectories {
  const onCall = o.onCall;
  const clock = o.clock;
  return createScimDirectories({
    tenants: o.tenants,
    env: o.env,
    logger: o.logger,
    extra: {
      ...(clock ? { now: () => clock.now().getTime() } : {}),
      ...(o.sleep ? { sleep: o.sleep } : {}),
      ...(onCall
        ? {
            onRequest: (e) =>
              onCall(
                e.method,
                e.error ?? String(e.status ?? 'none'),
                e.error ?? (e.status !== undefined && e.status >= 400 ? codeForStatus(e.status) : undefined),
              ),
          }
        : {}),
    },
  });
}
