import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startWorld } from '../test/support/bot-world.ts';
import { type ChangeSample, change } from './lib/conversation.ts';
import { log, quantile, round } from './lib/stats.ts';

/**
 * `node bench/profile.ts [ack|apply|heap] [--scim=own|better-auth] [--out=DIR]`: runs one load against
 * the bot with V8's CPU profiler (or heap sampling) on, then prints the top self-time functions and
 * the share per module group. Not part of `npm run bench`; this is how BENCHMARKS.md's profile
 * findings were made.
 * - ack: rounds of 50 concurrent mentions (the ack benchmark's worst row);
 * - apply: 20 conversations changing roles in a loop for 8 s (the throughput benchmark);
 * - heap: the apply load with --heap-prof (sampled live allocations by function);
 * - alloc: the apply load with every allocation sampled, collected ones included (the garbage).
 */
const args = process.argv.slice(2);
const what = args.find((a) => !a.startsWith('--')) ?? 'apply';
const scim = (args.find((a) => a.startsWith('--scim='))?.slice(7) ?? 'own') as 'own' | 'better-auth';
const out = resolve(args.find((a) => a.startsWith('--out='))?.slice(6) ?? `bench/results/profile-${what}`);
mkdirSync(out, { recursive: true });
const flags = what === 'heap' ? `--heap-prof --heap-prof-dir=${out}` : `--cpu-prof --cpu-prof-dir=${out}`;
const w = await startWorld({
  scim,
  targets: 50,
  env:
    what === 'alloc' ? { ROLECALL_ALLOC_PROFILE: join(out, 'alloc.heapprofile') } : { NODE_OPTIONS: flags },
});
const samples: ChangeSample[] = [];
try {
  await change(w, `make <@${w.targets[0]!.slack}> an editor`);
  await change(w, `remove <@${w.targets[0]!.slack}>'s editor role`);
  if (what === 'ack') {
    for (let r = 0; r < 4; r++) {
      const acks = await Promise.all(
        w.targets.map(async (t, i) => (await w.say(`C7R${r}N${i}`, `make <@${t.slack}> an editor`)).ms),
      );
      log(`ack c=50 round ${r + 1}: p99 ${round(quantile(acks, 0.99))} ms`);
      await w.bot.ask('stats');
      await new Promise((r) => setTimeout(r, 3_000));
    }
  } else {
    const end = performance.now() + 8_000;
    await Promise.all(
      w.targets.slice(0, 20).map(async (t) => {
        while (performance.now() < end) {
          samples.push(await change(w, `make <@${t.slack}> an editor`));
          samples.push(await change(w, `remove <@${t.slack}>'s editor role`));
        }
      }),
    );
    log(`${samples.filter((s) => s.ok).length} changes applied`);
  }
} finally {
  await w.close();
}
if (what === 'alloc') summariseAlloc(join(out, 'alloc.heapprofile'));
else if (what !== 'heap') summarise(out);

interface AllocNode {
  callFrame: Node['callFrame'];
  selfSize: number;
  children: AllocNode[];
}

/** Bytes allocated per function (self) and per innermost src/ frame. */
function summariseAlloc(file: string) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { head: AllocNode };
  const self = new Map<string, number>();
  const bySrc = new Map<string, number>();
  let total = 0;
  const walk = (n: AllocNode, src: string | undefined) => {
    const f = n.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/node_modules\//, '~/').replace(/^.*\/src\//, 'src/')}:${f.lineNumber + 1}`;
    const here = f.url.includes('/src/') ? key : src;
    total += n.selfSize;
    self.set(key, (self.get(key) ?? 0) + n.selfSize);
    bySrc.set(here ?? '(no src/ frame)', (bySrc.get(here ?? '(no src/ frame)') ?? 0) + n.selfSize);
    for (const c of n.children) walk(c, here);
  };
  walk(p.head, undefined);
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(
        ([k, b]) =>
          `${(b / 2 ** 20).toFixed(1).padStart(7)} MiB ${((100 * b) / total).toFixed(1).padStart(5)} %  ${k}`,
      )
      .join('\n');
  process.stdout.write(
    `allocated (sampled) ${(total / 2 ** 20).toFixed(0)} MiB\n\nby function (self):\n${top(self)}\n\n`,
  );
  process.stdout.write(`by innermost src/ frame:\n${top(bySrc)}\n`);
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per function and per module group (node_modules package, src/ directory, native). */
function summarise(dir: string) {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort()
    .at(-1);
  if (!file) return;
  const p = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const fn = new Map<string, number>();
  const group = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const short = url.replace(/^.*\/node_modules\//, '~/').replace(/^.*\/(src|test)\//, '$1/');
    const key = `${functionName || '(anon)'} ${short}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const g = url.includes('node_modules/')
      ? (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? 'node_modules')
      : url.includes('/src/')
        ? (/\/src\/([^/]+(?:\/[^/]+)?)/.exec(url)?.[1] ?? 'src')
        : url.startsWith('node:')
          ? url
          : functionName.startsWith('(')
            ? functionName
            : url
              ? 'other'
              : `native ${functionName}`;
    group.set(g, (group.get(g) ?? 0) + us);
    total += us;
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, us]) =>
          `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`,
      )
      .join('\n');
  process.stdout.write(`profile ${file}: ${(total / 1000).toFixed(0)} ms sampled\n\n`);
  process.stdout.write(`by group:\n${top(group, 30)}\n\nby function (self):\n${top(fn, 40)}\n`);
}
