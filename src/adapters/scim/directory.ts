import { Agent, type Dispatcher } from 'undici';
import { secret } from '../../config.ts';
import { isRolecallError, RolecallError } from '../../core/errors.ts';
import type { Tenant } from '../../core/policy-schema.ts';
import type { Directory, RoleChangeResult } from '../../ports/directory.ts';
import type { Logger } from '../log/logger.ts';
import { FormMemo, providerFacts, type ScimContext } from './context.ts';
import { isMaybeApplied, makeRedactor, scimError } from './errors.ts';
import { emptyStats, ScimHttp, type ScimRequestEvent, type ScimStats } from './http.ts';
import { readRoleHolders } from './role-holders.ts';
import type { RoleModel, RoleState } from './role-model.ts';
import { GroupsModel } from './roles-groups.ts';
import { RolesAttributeModel, SingleAttributeModel } from './roles-user.ts';
import { type Finding, surveyServer } from './survey.ts';
import { ScimUsers } from './users.ts';

export interface ScimDirectoryOptions {
  tenant: Tenant;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** An undici Dispatcher to send through (tests, proxies); by default the directory owns an Agent. */
  dispatcher?: Dispatcher;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Clock for HTTP-date Retry-After values. */
  now?: () => number;
  /** Response byte cap; larger answers are abandoned with SCIM.TOO_LARGE. */
  maxResponseBytes?: number;
  onRequest?: (e: ScimRequestEvent) => void;
}

export interface ScimDirectory extends Directory {
  /** Live counters of SCIM calls made by this instance. */
  readonly stats: ScimStats;
  resetStats(): void;
  /** Forgets resolved group ids (after groups were renamed or recreated). */
  refresh(): void;
  /** What `rolecall doctor` reports about the server's behaviour; reads only. */
  survey(): Promise<Finding[]>;
  close(): Promise<void>;
  /** Like close(), but aborts requests still in flight (a CLI that has its answer stops waiting). */
  destroy(): Promise<void>;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
/** Writes refused with 412 are re-read and resent at most this many times. */
const PRECONDITION_RETRIES = 2;

export function createScimDirectory(o: ScimDirectoryOptions): ScimDirectory {
  const cfg = o.tenant.scim;
  const tenantId = o.tenant.id;
  const read = (name: string) => o.env[name]?.trim() || undefined;
  const secrets = () => {
    const out: string[] = [];
    if (cfg.tokenEnv) out.push(...[read(cfg.tokenEnv)].filter((s): s is string => !!s));
    if (cfg.basicAuth) {
      const u = read(cfg.basicAuth.usernameEnv);
      const p = read(cfg.basicAuth.passwordEnv);
      if (p) out.push(p);
      if (u && p) out.push(Buffer.from(`${u}:${p}`).toString('base64'));
    }
    return out;
  };
  const authorization = () => {
    if (cfg.tokenEnv) return `Bearer ${secret(o.env, cfg.tokenEnv)}`;
    if (cfg.basicAuth) {
      const u = secret(o.env, cfg.basicAuth.usernameEnv);
      const p = secret(o.env, cfg.basicAuth.passwordEnv);
      return `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    }
    return undefined;
  };
  const redact = makeRedactor(secrets);
  const logger = o.logger.child({ component: 'scim', tenantId });
  const ownAgent = o.dispatcher ? undefined : new Agent({ connect: { timeout: cfg.timeout } });
  const stats = emptyStats();
  const http = new ScimHttp({
    tenantId,
    baseUrl: cfg.baseUrl,
    authorization,
    redact,
    timeoutMs: cfg.timeout,
    retries: cfg.retries,
    maxRetryAfterMs: cfg.maxRetryAfter,
    maxBytes: o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    dispatcher: o.dispatcher ?? ownAgent!,
    sleep: o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    random: o.random ?? Math.random,
    now: o.now ?? Date.now,
    logger,
    stats,
    ...(o.onRequest ? { onRequest: o.onRequest } : {}),
  });
  const base = { tenant: o.tenant, cfg, http, logger, redact, now: o.now ?? Date.now };
  const ctx: ScimContext = { ...base, provider: providerFacts(base) };
  const users = new ScimUsers(ctx, {
    email: new FormMemo(ctx, 'email lookup'),
    name: new FormMemo(ctx, 'name search'),
  });
  const model: RoleModel =
    cfg.roleModel === 'groups'
      ? new GroupsModel(ctx, users)
      : cfg.roleModel === 'roles'
        ? new RolesAttributeModel(ctx, users)
        : new SingleAttributeModel(ctx, users);

  const knownRole = (role: string) => {
    if (!Object.hasOwn(o.tenant.roles, role))
      throw scimError(
        'SCIM.UNKNOWN_ROLE',
        `role "${role}" is not in tenant ${tenantId}'s catalogue`,
        redact,
        {
          tenantId,
          role,
        },
      );
  };

  async function change(userId: string, role: string, op: 'grant' | 'revoke'): Promise<RoleChangeResult> {
    knownRole(role);
    const want = op === 'grant';
    let state: RoleState = await model.read(userId);
    const before = state.roles;
    if (state.roles.includes(role) === want) return { changed: false, before, after: before };
    // A deactivated account gets nothing new (revokes stay allowed): deactivation is how identity
    // systems take access away, and a role granted meanwhile would come back with reactivation.
    if (want && state.snap?.user.active === false)
      throw scimError(
        'SCIM.INACTIVE_USER',
        `SCIM user ${userId} (tenant ${tenantId}) is deactivated (active: false); no role is granted to it`,
        redact,
        { tenantId, userId, role },
      );
    let uncertain: RolecallError | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        await model.write(userId, role, op, state);
        break;
      } catch (err) {
        if (isRolecallError(err, 'SCIM.PRECONDITION') && attempt < PRECONDITION_RETRIES) {
          logger.info({ scim: { userId, role, op, attempt } }, 'SCIM resource changed meanwhile; re-reading');
          state = await model.read(userId);
          if (state.roles.includes(role) === want) return { changed: false, before, after: state.roles };
          continue;
        }
        // Timed out, connection lost, or any answer but a clean success after sending: never resent
        // blindly, the read decides.
        if (isMaybeApplied(err)) {
          uncertain = err as RolecallError;
          break;
        }
        throw err;
      }
    }
    let after: string[];
    try {
      after = model.readBack ? await model.readBack(userId, role, state) : (await model.read(userId)).roles;
    } catch (err) {
      // The write was sent: whatever this read says, the change may be in place. Callers must keep
      // the outcome open and decide it from a later read, never report it as not done.
      const code = uncertain?.code ?? (isRolecallError(err) ? err.code : 'SCIM.UNAVAILABLE');
      throw new RolecallError(
        code,
        `${uncertain ? uncertain.message : `SCIM ${op} of "${role}" for user ${userId} (tenant ${tenantId}) was sent`}; ` +
          'the change could not be confirmed',
        { cause: err, details: { ...uncertain?.details, tenantId, userId, role, op, unconfirmed: true } },
      );
    }
    if (after.includes(role) !== want) {
      if (uncertain)
        throw new RolecallError(
          uncertain.code,
          `${uncertain.message}; a fresh read shows it was not applied`,
          {
            details: { ...uncertain.details, applied: false },
          },
        );
      throw scimError(
        'SCIM.NOT_APPLIED',
        `SCIM ${op} of "${role}" for user ${userId} (tenant ${tenantId}) was accepted, ` +
          `but reading the user back does not show it`,
        redact,
        { tenantId, userId, role, op, before, after },
      );
    }
    if (uncertain) logger.info({ scim: { userId, role, op } }, 'SCIM write failed in transit but had landed');
    logger.info({ scim: { userId, role, op, before, after } }, 'SCIM role changed');
    return { changed: true, before, after };
  }

  return {
    stats,
    resetStats() {
      Object.assign(stats, emptyStats());
    },
    refresh: () => model.refresh(),
    async survey() {
      const first = Object.keys(o.tenant.roles)[0];
      const ids = model instanceof GroupsModel && first ? [await model.groupId(first)] : [];
      return surveyServer(ctx, ids);
    },
    async close() {
      await ownAgent?.close();
    },
    async destroy() {
      await ownAgent?.destroy();
    },
    findUserByEmail: (email) => users.findByEmail(email),
    findUserByUserName: (userName) => users.findByUserName(userName),
    findUserByExternalId: (externalId) => users.findByExternalId(externalId),
    getUser: (id) => users.getUser(id),
    searchUsersByName: (name, limit) => users.searchByName(name, limit),
    ...(model instanceof GroupsModel
      ? {
          roleHolders: async (role: string, limit: number) =>
            readRoleHolders(ctx, await model.groupId(role), limit),
        }
      : model instanceof RolesAttributeModel
        ? { roleHolders: (role: string, limit: number) => model.holders(role, limit) }
        : {}),
    async getRoles(userId) {
      return (await model.read(userId)).roles;
    },
    grant: (userId, role) => change(userId, role, 'grant'),
    revoke: (userId, role) => change(userId, role, 'revoke'),
    async check() {
      try {
        await users.findByUserName('rolecall-connectivity-check');
      } catch (err) {
        // The code (SCIM.AUTH, SCIM.NETWORK…) leads: it is what an operator searches for.
        const code = isRolecallError(err) ? `${err.code}: ` : '';
        return { ok: false, problems: [`${code}${cfg.baseUrl}: ${(err as Error).message}`] };
      }
      const problems = await model.check();
      return { ok: problems.length === 0, problems };
    },
  };
}
