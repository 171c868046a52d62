import { Writable } from 'node:stream';
import { afterEach } from 'vitest';
import { createLogger, type Logger } from '../../src/adapters/log/logger.ts';
import { createScimDirectory, type ScimDirectory } from '../../src/adapters/scim/index.ts';
import { type ScimConfig, Tenant } from '../../src/core/policy-schema.ts';
import { type ScimServer, type ScimServerOptions, startScimServer } from '../support/scim-server.ts';

export const TOKEN_ENV = 'ROLECALL_TEST_SCIM_TOKEN';

export function captureLogger(): { logger: Logger; output: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), output: () => chunks.join('') };
}

export interface TestDirectory {
  dir: ScimDirectory;
  tenant: Tenant;
  /** Backoff delays the directory asked to sleep, in order. */
  delays: number[];
  logs: () => string;
}

export function makeTenant(
  baseUrl: string,
  scim: Record<string, unknown> = {},
  roles: Record<string, Record<string, unknown>> = {
    admin: { group: 'Admins' },
    viewer: { group: 'Viewers' },
  },
  overrides: Partial<ScimConfig> = {},
): Tenant {
  const t = Tenant.parse({
    id: 'acme',
    slack: { teams: ['T0001'] },
    scim: { baseUrl, tokenEnv: TOKEN_ENV, ...scim },
    roles,
  });
  return { ...t, scim: { ...t.scim, ...overrides } };
}

/**
 * A directory wired for tests: injected sleep records delays and returns at once, random is fixed,
 * logs are captured. `timeout` is in ms (the config schema's floor is 1s; tests need less).
 */
export function makeDirectory(
  baseUrl: string,
  o: {
    token?: string;
    env?: NodeJS.ProcessEnv;
    scim?: Record<string, unknown>;
    roles?: Record<string, Record<string, unknown>>;
    overrides?: Partial<ScimConfig>;
    random?: () => number;
    now?: () => number;
    maxResponseBytes?: number;
  } = {},
): TestDirectory {
  const tenant = makeTenant(baseUrl, o.scim, o.roles, { timeout: 2_000, ...o.overrides });
  const delays: number[] = [];
  const { logger, output } = captureLogger();
  const dir = createScimDirectory({
    tenant,
    env: o.env ?? { [TOKEN_ENV]: o.token ?? 'test-token' },
    logger,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: o.random ?? (() => 0.5),
    ...(o.now ? { now: o.now } : {}),
    ...(o.maxResponseBytes ? { maxResponseBytes: o.maxResponseBytes } : {}),
  });
  return { dir, tenant, delays, logs: output };
}

/** The thrown value of a promise that must reject. */
export async function failure(
  p: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/**
 * The embedded SCIM server for the tests of a file or describe block: `start(o)` runs one with
 * `defaults`, `o` overriding any of them; every server started is closed after its test.
 */
export function serverPerTest(
  defaults: ScimServerOptions = {},
): (o?: Partial<ScimServerOptions>) => Promise<ScimServer> {
  const running: ScimServer[] = [];
  afterEach(async () => {
    for (const s of running.splice(0)) await s.close();
  });
  return async (o = {}) => {
    // Fresh seeds for every server, so one test's changes to a seeded record never reach the next.
    const seeds = { users: structuredClone(defaults.users), groups: structuredClone(defaults.groups) };
    const server = await startScimServer({ ...defaults, ...seeds, ...o });
    running.push(server);
    return server;
  };
}
