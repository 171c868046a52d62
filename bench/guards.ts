import { clausesOf } from '../src/adapters/intent/clauses.ts';
import { findDurations } from '../src/adapters/intent/duration-finder.ts';
import { looksLikeInjection, stripQuoted, wordGuard, wordsOf } from '../src/adapters/intent/guards.ts';
import { admitText, MAX_TEXT, mixesScripts, normalise } from '../src/adapters/intent/normalise.ts';
import { createOfflineExtractor, guardReason, parseOffline } from '../src/adapters/intent/offline-parser.ts';
import { findRoles } from '../src/adapters/intent/roles.ts';
import { tokenize } from '../src/adapters/intent/text.ts';

import { groundAll, type ToolCall } from '../src/adapters/llm/grounding.ts';
import { longInputs } from '../test/reliability/abuse-long-inputs.ts';
import { log, round, writeResult } from './lib/stats.ts';

/**
 * Issue 13, finding 1: CPU time of the guards, the parser and grounding on 40 000-character
 * adversarial messages (Slack's maximum), measured with process.cpuUsage (user + system).
 * - "as deployed": what either extractor does with the message before any network call — the
 *   entry cap and normalisation, then (under the cap) guards, parser and grounding.
 * - "no cap": the same stages run on all 40 000 characters with the cap bypassed, to show the
 *   patterns and loops are linear on their own, not only because of the cap.
 * Target: worst < 50 ms. `npm run bench -- guards` runs it alone (a few seconds).
 */
const SIZE = 40_000;
const roles = ['viewer', 'editor', 'billing-admin', 'admin', 'owner'];
const now = new Date('2025-03-12T15:00:00Z');
const CALLS: ToolCall[] = [
  {
    name: 'request_role_change',
    input: {
      action: 'grant',
      targets: [{ kind: 'name', value: 'bob' }],
      role: 'admin',
      duration_phrase: 'for 2h',
      justification: '',
    },
  },
];

const cpuMs = (f: () => unknown): number => {
  const a = process.cpuUsage();
  f();
  const b = process.cpuUsage(a);
  return (b.user + b.system) / 1000;
};

async function deployed(text: string): Promise<void> {
  await createOfflineExtractor().extract({ text, roles, now, timeZone: 'UTC' });
  const admitted = admitText(text);
  if (admitted === undefined) return;
  guardReason(admitted);
  parseOffline({ text: admitted, roles, now, timeZone: 'UTC' });
  groundAll(CALLS, { text: admitted, roles, now, timeZone: 'UTC' });
}

/** Every stage of guardReason and parseOffline, on the whole text. */
function uncapped(raw: string): void {
  const text = normalise(raw);
  looksLikeInjection(text);
  mixesScripts(text);
  const { text: plain } = stripQuoted(text);
  const durations = findDurations(plain, { now, timeZone: 'UTC' });
  const tokens = tokenize(plain);
  wordGuard(wordsOf(tokens));
  for (const c of clausesOf(tokens, durations)) findRoles(c.tokens, roles);
  groundAll(CALLS, { text, roles, now, timeZone: 'UTC' });
}

export async function benchGuards(quick: boolean): Promise<void> {
  const runs = quick ? 2 : 5;
  type Row = { name: string; deployedMs: number; atCapMs: number; uncappedMs: number };
  const rows: Row[] = [];
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const atCap = longInputs(MAX_TEXT);
  for (const [i, input] of longInputs(SIZE).entries()) {
    const d: number[] = [];
    const c: number[] = [];
    const u: number[] = [];
    const capped = atCap[i]?.text ?? '';
    for (let r = 0; r < runs; r++) {
      for (const [text, into] of [
        [input.text, d],
        [capped, c],
      ] as const) {
        const a = process.cpuUsage();
        await deployed(text);
        const b = process.cpuUsage(a);
        into.push((b.user + b.system) / 1000);
      }
      u.push(cpuMs(() => uncapped(input.text)));
    }
    // The median of the runs per input; the report shows the worst input.
    rows.push({
      name: input.name,
      deployedMs: round(med(d)),
      atCapMs: round(med(c)),
      uncappedMs: round(med(u)),
    });
  }
  const worst = (k: 'deployedMs' | 'atCapMs' | 'uncappedMs') => rows.reduce((m, r) => (r[k] > m[k] ? r : m));
  const wd = worst('deployedMs');
  const wc = worst('atCapMs');
  const wu = worst('uncappedMs');
  log(
    `guards: worst 40 000 chars as deployed ${wd.deployedMs} ms (${wd.name}); at the ${MAX_TEXT}-char cap ${wc.atCapMs} ms (${wc.name}); 40 000 chars with no cap ${wu.uncappedMs} ms (${wu.name})`,
  );
  writeResult(
    'guards',
    {
      size: SIZE,
      cap: MAX_TEXT,
      inputs: rows.length,
      runs,
      worstDeployed: wd,
      worstAtCap: wc,
      worstUncapped: wu,
      rows,
    },
    quick,
  );
}
