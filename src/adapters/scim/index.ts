import type { Dispatcher } from 'undici';
import { RolecallError } from '../../core/errors.ts';
import type { Tenant } from '../../core/policy-schema.ts';
import type { Directories } from '../../ports/directory.ts';
import type { Logger } from '../log/logger.ts';
import { createScimDirectory, type ScimDirectory, type ScimDirectoryOptions } from './directory.ts';

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
