import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/adapters/log/logger.ts';
import { openSqliteStores } from '../src/adapters/store/sqlite/index.ts';
import { newRequest, type RequestEvent, transition } from '../src/core/request.ts';
import type { RoleRequest } from '../src/core/request-record.ts';

/**
 * `node bench/store-commit.ts [changes] [rounds] [concurrency]`: the store's share of one applied change
 * (requested → confirmed → applying → applied) on SQLite with synchronous=FULL, on a real file.
 * node:sqlite is synchronous, so this time is also how long the event loop is blocked. Compares,
 * in alternating rounds (the machine is shared and noisy), the old pattern — save, then a separate
 * audit append, per transition — with one `commit` per transition (issue 15). Not part of
 * `npm run bench` (its numbers are the store's alone, without Slack, SCIM or the LLM).
 */
const changes = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
/** Conversations at once (each takes its requests through the path one after the other). */
const concurrency = Number(process.argv[4] ?? 1);
const logger = createLogger({ level: 'silent' });
const clock = { now: () => new Date() };
let n = 0;

function fresh(): RoleRequest {
  return newRequest({
    id: `bench-${++n}`,
    tenantId: 'acme',
    now: new Date(),
    requester: { slackUserId: 'U1', scimId: 's1', displayName: 'A' },
    target: { slackUserId: 'U2', scimId: 's2', displayName: 'B' },
    action: 'grant',
    role: 'editor',
    decision: { kind: 'allow', ruleId: 'r', capped: false },
    origin: { channelId: 'C1', ts: '1.0' },
  });
}
const EVENTS: RequestEvent[] = [
  { kind: 'confirm', by: { slackUserId: 'U1', scimId: 's1' } },
  { kind: 'start_apply' },
  { kind: 'applied', before: [], after: ['editor'] },
];

async function run(mode: 'separate' | 'commit'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-bench-'));
  const stores = openSqliteStores({ dataDir: dir, logger, clock });
  const one = async () => {
    let r = fresh();
    const requested = { kind: 'requested', at: r.updatedAt, tenantId: r.tenantId, requestId: r.id } as const;
    if (mode === 'commit') await stores.requests.commit({ request: r, audit: [requested] });
    else {
      await stores.requests.create(r);
      await stores.audit.append(requested);
    }
    for (const e of EVENTS) {
      const t = transition(r, e, new Date());
      if (!t.ok) throw new Error(t.reason);
      if (mode === 'commit')
        await stores.requests.commit({ request: t.request, expectedVersion: r.version, audit: t.audit });
      else {
        await stores.requests.save(t.request, r.version);
        for (const a of t.audit) await stores.audit.append(a);
      }
      r = t.request;
    }
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < changes / concurrency; i++) await one();
    }),
  );
  const ms = (performance.now() - t0) / changes;
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const out: Record<'separate' | 'commit', number[]> = { separate: [], commit: [] };
for (let i = 0; i < rounds; i++)
  for (const mode of i % 2 ? (['commit', 'separate'] as const) : (['separate', 'commit'] as const))
    out[mode].push(await run(mode));
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(2)} ms (runs ${xs.map((x) => x.toFixed(2)).join(', ')})`;
process.stdout.write(
  `store time per applied change (= event-loop blocking), ${changes} changes × ${rounds} rounds, ${concurrency} at once:\n` +
    `  save + separate audit append (8 commits): ${fmt(out.separate)}\n` +
    `  one commit per transition (4, grouped):   ${fmt(out.commit)}\n`,
);
