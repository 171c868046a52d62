import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOfflineExtractor } from '../../src/adapters/intent/index.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { createScimDirectories, type ScimDirectories } from '../../src/adapters/scim/index.ts';
import { mrkdwn } from '../../src/adapters/slack/mrkdwn.ts';
import { openMongoStores } from '../../src/adapters/store/mongo/index.ts';
import type { StoreSet } from '../../src/adapters/store/open.ts';
import { openSqliteStores } from '../../src/adapters/store/sqlite/index.ts';
import { applyChange } from '../../src/app/apply-change.ts';
import type { AppDeps } from '../../src/app/deps.ts';
import { parsePolicy } from '../../src/config.ts';
import type { Decision } from '../../src/core/decision.ts';
import type { Identity } from '../../src/core/identity.ts';
import { newRequest, transition } from '../../src/core/request.ts';
import type { RoleRequest } from '../../src/core/request-record.ts';
import type { Card, Chat, MessageRef } from '../../src/ports/chat.ts';
import type { Directories, Directory } from '../../src/ports/directory.ts';
import { ManualClock, POLICY } from '../e2e/harness.ts';
import type { TestMongo } from '../support/mongo-server.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';

/**
 * Use-case tests of time-bound grants on a real store (SQLite file or MongoDB database) and our
 * SCIM test server, with an injected clock. `boot()` starts a "process" (its own store connection
 * and SCIM client) on the same data, so a crash is: stop using one process, boot another.
 */
export type StoreKind = 'sqlite' | 'mongodb';

export interface Said {
  kind: 'post' | 'dm' | 'update' | 'ephemeral';
  to: string;
  text: string;
  threadTs?: string | undefined;
}

/** The Slack boundary as a recorder (the Slack adapter has its own suites against the emulator). */
export class RecordingChat implements Chat {
  said: Said[] = [];
  #n = 0;
  async post(channelId: string, card: Card, threadTs?: string): Promise<MessageRef> {
    this.said.push({ kind: 'post', to: channelId, text: mrkdwn(card.text), threadTs });
    return { channelId, ts: `1700000000.${String(++this.#n).padStart(6, '0')}` };
  }
  async postEphemeral(channelId: string, userId: string, card: Card): Promise<void> {
    this.said.push({ kind: 'ephemeral', to: `${channelId}/${userId}`, text: mrkdwn(card.text) });
  }
  async update(ref: MessageRef, card: Card): Promise<void> {
    this.said.push({ kind: 'update', to: ref.channelId, text: mrkdwn(card.text) });
  }
  async dm(userId: string, card: Card): Promise<MessageRef> {
    this.said.push({ kind: 'dm', to: userId, text: mrkdwn(card.text) });
    return { channelId: `D${userId}`, ts: `1700000000.${String(++this.#n).padStart(6, '0')}` };
  }
  async userInfo() {
    return undefined;
  }
  async respond(url: string, card: Card): Promise<void> {
    this.said.push({ kind: 'ephemeral', to: url, text: mrkdwn(card.text) });
  }
  async userByEmail() {
    return undefined;
  }
  texts(to?: string): string[] {
    return this.said.filter((s) => to === undefined || s.to === to).map((s) => s.text);
  }
}

export const USERS = {
  alice: { userName: 'alice@acme.test', displayName: 'Alice Admin', slack: 'U0ALICE', groups: ['Admins'] },
  olga: { userName: 'olga@acme.test', displayName: 'Olga Owner', slack: 'U0OLGA', groups: ['Owners'] },
  bob: { userName: 'bob@acme.test', displayName: 'Bob Builder', slack: 'U0BOB', groups: ['Viewers'] },
  erin: { userName: 'erin@acme.test', displayName: 'Erin Editor', slack: 'U0ERIN', groups: ['Editors'] },
} as const;
export type Who = keyof typeof USERS;

const HOUR = 3_600_000;

export { HOUR };

export interface Proc {
  deps: AppDeps;
  chat: RecordingChat;
  stores: StoreSet;
  directories: ScimDirectories;
  /** Stops this process's connections (what is in flight is abandoned, as in a crash). */
  stop(): Promise<void>;
}

export interface World {
  kind: StoreKind;
  scim: ScimServer;
  clock: ManualClock;
  policyText: string;
  /** SQLite: where the store file lives (ROLECALL_DATA_DIR). */
  dataDir: string;
  /** A scratch directory for config files. */
  dir: string;
  boot(o?: { directories?: (d: Directories) => Directories }): Promise<Proc>;
  identity(who: Who): Identity;
  scimId(who: Who): string;
  groupMembers(group: string): string[];
  patches(): number;
  /** Direct change in the directory, as an admin or an IdP sync would make it. */
  setMember(group: string, who: Who, member: boolean): void;
  /** A confirmed request (allowed, or approved by olga) ready for applyChange. */
  approvedRequest(
    p: Proc,
    o: {
      requester?: Who;
      target: Who;
      role: string;
      durationMs?: number;
      action?: 'grant' | 'revoke';
      decision?: Decision;
      /** Leave it awaiting the requester's confirmation. */
      unconfirmed?: boolean;
    },
  ): Promise<RoleRequest>;
  grant(p: Proc, o: { target: Who; role: string; durationMs?: number }): Promise<RoleRequest>;
  close(): Promise<void>;
}

let idCounter = 0;

export async function startWorld(kind: StoreKind, mongo: () => TestMongo): Promise<World> {
  const scim = await startScimServer({
    token: 'tb-token',
    users: Object.values(USERS).map((u) => ({
      userName: u.userName,
      displayName: u.displayName,
      emails: [u.userName],
    })),
    groups: ['Viewers', 'Editors', 'Admins', 'Owners'].map((g) => ({
      displayName: g,
      members: Object.values(USERS)
        .filter((u) => (u.groups as readonly string[]).includes(g))
        .map((u) => u.userName),
    })),
  });
  const policyText = POLICY.replace('SCIM_URL', scim.baseUrl);
  const policy = parsePolicy(policyText, 'rolecall.yml');
  const env = { E2E_SCIM_TOKEN: 'tb-token' };
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-tb-'));
  const dbName = kind === 'mongodb' ? mongo().freshDbName('rolecall_tb') : '';
  const clock = new ManualClock();
  const logger = createLogger({ level: 'silent' });
  const procs: Proc[] = [];
  const scimIdOf = (who: Who) =>
    [...scim.state.users.values()].find((u) => u.userName === USERS[who].userName)!.id;
  const group = (g: string) => [...scim.state.groups.values()].find((x) => x.displayName === g)!;

  const world: World = {
    kind,
    scim,
    clock,
    policyText,
    dataDir: join(dir, 'data'),
    dir,
    async boot(o = {}) {
      const stores: StoreSet =
        kind === 'sqlite'
          ? openSqliteStores({ dataDir: join(dir, 'data'), logger, clock })
          : await openMongoStores({ uri: mongo().uri, dbName, logger, clock });
      const directories = createScimDirectories({
        tenants: policy.tenants,
        env,
        logger,
        extra: { sleep: async () => {} },
      });
      const chat = new RecordingChat();
      const deps: AppDeps = {
        policy,
        directories: o.directories ? o.directories(directories) : directories,
        extractor: createOfflineExtractor(),
        requests: stores.requests,
        events: stores.events,
        audit: stores.audit,
        chat,
        clock,
        ids: { next: () => `RC-TB${String(++idCounter).padStart(5, '0')}` },
        log: logger,
      };
      let stopped = false;
      const proc: Proc = {
        deps,
        chat,
        stores,
        directories,
        async stop() {
          if (stopped) return;
          stopped = true;
          await directories.close();
          await stores.close();
        },
      };
      procs.push(proc);
      return proc;
    },
    identity: (who) => ({
      slackUserId: USERS[who].slack,
      slackTeamId: 'T0ACME',
      email: USERS[who].userName,
      scimId: scimIdOf(who),
      displayName: USERS[who].displayName,
    }),
    scimId: scimIdOf,
    groupMembers: (g) => ((group(g).members as { value: string }[] | undefined) ?? []).map((m) => m.value),
    patches: () => scim.requests.filter((r) => r.method === 'PATCH').length,
    setMember(g, who, member) {
      const grp = group(g);
      const id = scimIdOf(who);
      const members = ((grp.members as { value: string }[] | undefined) ?? []).filter((m) => m.value !== id);
      grp.members = member ? [...members, { value: id }] : members;
    },
    async approvedRequest(p, o) {
      const now = clock.now();
      const requester = o.requester ?? 'alice';
      const decision: Decision = o.decision ?? {
        kind: 'allow',
        ruleId: 'rule-1',
        capped: false,
        ...(o.durationMs ? { durationMs: o.durationMs } : {}),
      };
      const r = newRequest({
        id: p.deps.ids.next(),
        tenantId: 'acme',
        now,
        requester: world.identity(requester),
        target: world.identity(o.target),
        action: o.action ?? 'grant',
        role: o.role,
        durationMs: o.durationMs,
        decision,
        origin: { channelId: 'C0GENERAL', ts: '1700000000.000001' },
        confirmationExpiresAt: new Date(now.getTime() + 15 * 60_000).toISOString(),
      });
      await p.deps.requests.create(r);
      if (o.unconfirmed) return r;
      const confirmed = transition(r, { kind: 'confirm' }, now);
      if (!confirmed.ok) throw new Error(`confirm refused: ${confirmed.reason}`);
      await p.deps.requests.save(confirmed.request, r.version);
      return confirmed.request;
    },
    async grant(p, o) {
      return applyChange(p.deps, await world.approvedRequest(p, o));
    },
    async close() {
      for (const p of procs) await p.stop();
      await scim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/**
 * Wraps a tenant's directory so the process "halts" (never returns) at a chosen point of a write:
 * before the PATCH is sent, or after it landed but before the caller hears back.
 */
/**
 * A process that "crashes" at its next directory write: `directories` for boot(), and `halted`
 * resolves once the write was stopped there (before or after the PATCH reached the server).
 */
export function haltAt(at: 'before_patch' | 'after_patch'): {
  directories: (d: Directories) => Directories;
  halted: Promise<void>;
} {
  let done!: () => void;
  const halted = new Promise<void>((r) => {
    done = r;
  });
  return { directories: haltingDirectories(at, () => done()), halted };
}

function haltingDirectories(
  at: 'before_patch' | 'after_patch',
  onHalt: () => void,
): (d: Directories) => Directories {
  const never = () => new Promise<never>(() => {});
  return (d) => ({
    forTenant(tenantId) {
      const real = d.forTenant(tenantId);
      const halting = (op: 'grant' | 'revoke') => async (userId: string, role: string) => {
        if (at === 'before_patch') {
          onHalt();
          return never();
        }
        await real[op](userId, role);
        onHalt();
        return never();
      };
      return Object.assign(Object.create(real) as Directory, {
        getRoles: (id: string) => real.getRoles(id),
        getUser: (id: string) => real.getUser(id),
        grant: halting('grant'),
        revoke: halting('revoke'),
      });
    },
  });
}
