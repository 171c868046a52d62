import { createLogger } from '../src/adapters/log/logger.ts';
import { createScimDirectory, type ScimDirectory } from '../src/adapters/scim/index.ts';
import { Tenant } from '../src/core/policy-schema.ts';
import { startBetterAuthScim } from '../test/support/better-auth-scim.ts';
import { type ScimServer, startScimServer } from '../test/support/scim-server.ts';
import { busyTime, startTimingProxy, type TimingProxy } from '../test/support/timing-proxy.ts';
import { log, median, quantile, round, writeResult } from './lib/stats.ts';

/**
 * The SCIM client on its own (in this process) against directories of 1 000 to 100 000 users with
 * a group holding half of them (50 000 at the top size): SCIM calls per operation cold and warm,
 * full listings, bytes read, and the client's own time (wall time minus time inside the server).
 */
const ROLES = {
  viewer: { group: 'Viewers' },
  editor: { group: 'Editors' },
  admin: { group: 'Admins' },
  owner: { group: 'Owners' },
};

function directory(baseUrl: string, token: string): ScimDirectory {
  const tenant = Tenant.parse({
    id: 'bench',
    slack: { teams: ['T0BENCH'] },
    scim: { baseUrl, tokenEnv: 'BENCH_SCIM_TOKEN', roleModel: 'groups', userLookup: 'email' },
    roles: ROLES,
  });
  return createScimDirectory({
    tenant,
    env: { BENCH_SCIM_TOKEN: token },
    logger: createLogger({ level: 'silent' }),
  });
}

interface OpCost {
  calls: number;
  listings: number;
  fullListings: number;
  bytes: number;
  wallMs: number;
  clientMs: number;
}

async function cost(proxy: TimingProxy, op: () => Promise<unknown>): Promise<OpCost> {
  const from = proxy.calls.length;
  const a = performance.now();
  await op();
  const b = performance.now();
  const calls = proxy.calls.slice(from);
  const coll = calls.filter((c) => /\/(Users|Groups)(\?|$)/.test(c.path));
  return {
    calls: calls.length,
    listings: coll.length,
    fullListings: coll.filter((c) => !/[?&]filter=/.test(c.path)).length,
    bytes: calls.reduce((n, c) => n + c.bytes, 0),
    wallMs: b - a,
    clientMs: b - a - busyTime(calls, a, b),
  };
}

function summary(xs: OpCost[]) {
  const f = (k: keyof OpCost) => xs.map((x) => x[k]);
  return {
    calls: median(f('calls')),
    maxCalls: Math.max(...f('calls')),
    fullListings: f('fullListings').reduce((a, b) => a + b, 0),
    bytesP50: median(f('bytes')),
    wallMsP50: round(median(f('wallMs'))),
    clientMsP50: round(median(f('clientMs'))),
    clientMsP99: round(quantile(f('clientMs'), 0.99)),
  };
}

/** Cold (a fresh client) and warm costs of a lookup, a role read and a grant/revoke. */
async function measure(
  baseUrl: string,
  token: string,
  emailOf: (i: number) => string,
  users: number,
  ops: number,
) {
  const proxy = await startTimingProxy(baseUrl);
  const pick = (k: number) => Math.floor(((k * 7919) % users) / 2) * 2; // even indexes: in Viewers
  try {
    const cold = directory(proxy.url, token);
    const u0 = await cold.findUserByEmail(emailOf(pick(1)));
    const coldRoles = await cost(proxy, () => cold.getRoles(u0!.id));
    const u1 = await cold.findUserByEmail(emailOf(pick(2)));
    const fresh = directory(proxy.url, token);
    const coldGrant = await cost(proxy, () => fresh.grant(u1!.id, 'editor'));
    await fresh.revoke(u1!.id, 'editor');
    await cold.close();
    await fresh.close();
    const dir = directory(proxy.url, token);
    await dir.getRoles(u0!.id);
    const lookup: OpCost[] = [];
    const roles: OpCost[] = [];
    const grant: OpCost[] = [];
    const revoke: OpCost[] = [];
    for (let k = 3; k < 3 + ops; k++) {
      const email = emailOf(pick(k));
      let id = '';
      lookup.push(await cost(proxy, async () => (id = (await dir.findUserByEmail(email))!.id)));
      roles.push(await cost(proxy, () => dir.getRoles(id)));
      grant.push(await cost(proxy, () => dir.grant(id, 'editor')));
      revoke.push(await cost(proxy, () => dir.revoke(id, 'editor')));
    }
    await dir.close();
    return {
      cold: { getRoles: coldRoles.calls, grant: coldGrant.calls },
      lookup: summary(lookup),
      getRoles: summary(roles),
      grant: summary(grant),
      revoke: summary(revoke),
    };
  } finally {
    await proxy.close();
  }
}

async function ownServer(users: number, userGroups: boolean): Promise<ScimServer> {
  const seed = Array.from({ length: users }, (_, i) => ({
    id: `u${i}`,
    userName: `user${i}@acme.test`,
    displayName: `User ${i}`,
    emails: [`user${i}@acme.test`],
  }));
  const viewers = seed.filter((_, i) => i % 2 === 0).map((u) => u.id);
  return startScimServer({
    users: seed,
    groups: [
      { displayName: 'Viewers', members: viewers },
      { displayName: 'Editors', members: [] },
      { displayName: 'Admins', members: ['u1'] },
      { displayName: 'Owners', members: ['u3'] },
    ],
    token: 'scale-token',
    faults: { userGroups },
  });
}

export async function benchScale(quick: boolean): Promise<void> {
  const ops = quick ? 20 : 50;
  const sizes = [1_000, 10_000, 100_000];
  const own: Record<string, unknown> = {};
  const ownMemberFilter: Record<string, unknown> = {};
  for (const n of sizes) {
    for (const [userGroups, out] of [
      [true, own],
      [false, ownMemberFilter],
    ] as const) {
      const s = await ownServer(n, userGroups);
      try {
        out[n] = await measure(s.baseUrl, 'scale-token', (i) => `user${i}@acme.test`, n, ops);
      } finally {
        await s.close();
      }
      log(`scale own server (${userGroups ? 'groups on users' : 'member filter'}) ${n} users done`);
    }
  }
  const baSizes = [100, 200];
  const betterAuth: Record<string, unknown> = {};
  for (const n of baSizes) {
    const seed = Array.from({ length: n }, (_, i) => ({
      userName: `user${i}@acme.test`,
      displayName: `User ${i}`,
      emails: [`user${i}@acme.test`],
    }));
    const t0 = performance.now();
    const ba = await startBetterAuthScim({
      users: seed,
      groups: [
        // Better Auth's in-memory adapter refuses a group created with ~150+ members (400 invalidValue).
        {
          displayName: 'Viewers',
          members: seed
            .filter((_, i) => i % 2 === 0)
            .slice(0, 100)
            .map((u) => u.userName),
        },
        { displayName: 'Editors', members: [] },
        { displayName: 'Admins', members: [seed[1]!.userName] },
        { displayName: 'Owners', members: [seed[3]!.userName] },
      ],
    });
    log(`Better Auth seeded ${n} users in ${round((performance.now() - t0) / 1000, 1)} s`);
    try {
      betterAuth[n] = await measure(ba.baseUrl, ba.token, (i) => `user${i}@acme.test`, n, ops);
    } finally {
      await ba.close();
    }
  }
  const flat = (m: Record<string, unknown>, lo: number, hi: number) => {
    const get = (n: number, k: 'lookup' | 'grant') =>
      (m[n] as Record<string, { clientMsP50: number }>)[k]!.clientMsP50;
    return {
      lookup: round(get(hi, 'lookup') / get(lo, 'lookup')),
      grant: round(get(hi, 'grant') / get(lo, 'grant')),
    };
  };
  writeResult(
    'scale',
    {
      note: 'Half of the users are in Viewers (50 000 members at 100 000 users). clientMs = wall time minus time inside the SCIM server (measured by a timing proxy).',
      ownServerGroupsOnUsers: own,
      ownServerMemberFilter: ownMemberFilter,
      betterAuth,
      clientTimeRatio100kTo1k: {
        groupsOnUsers: flat(own, 1_000, 100_000),
        memberFilter: flat(ownMemberFilter, 1_000, 100_000),
      },
    },
    quick,
  );
}
