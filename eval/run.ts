import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { withHelp } from '../src/adapters/intent/index.ts';
import { createOfflineExtractor } from '../src/adapters/intent/offline-parser.ts';
import type { Intent } from '../src/core/intent.ts';
import type { IntentExtractor } from '../src/ports/intent-extractor.ts';
import {
  type EvalCase,
  exactMatch,
  FIELDS,
  fieldAgreement,
  loadCases,
  nowOf,
  unsafeFindings,
} from './score.ts';

/**
 * npm run eval:intent -- [--extractor offline|llm] [--record | --replay] [--cases file] [--tag t]
 *
 * Scores an extractor on eval/intents.jsonl and writes eval/results/<extractor>.json. Exits 1 when
 * anything unsafe was produced, or (offline) when exact match on the English request subset is
 * under 90%: CI runs the offline parser with this. `--record` (needs ANTHROPIC_API_KEY) stores the
 * real model's raw answers in eval/recordings/; `--replay` serves them from the local fake
 * Messages API, so the LLM path is re-scored offline.
 */
const here = dirname(fileURLToPath(import.meta.url));
const ENGLISH_REQUEST = 'english-request';
const MIN_ENGLISH_EXACT = 0.9;

const { values: args } = parseArgs({
  options: {
    extractor: { type: 'string', default: 'offline' },
    record: { type: 'boolean', default: false },
    replay: { type: 'boolean', default: false },
    cases: { type: 'string', default: join(here, 'intents.jsonl') },
    recordings: { type: 'string' },
    tag: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

interface CaseResult {
  id: string;
  tags: string[];
  exact: boolean;
  fields: Record<string, boolean>;
  unsafe: string[];
  expected: Intent[];
  actual: Intent[];
  source: string;
  fallbackReason?: string;
}

async function main(): Promise<number> {
  const which = args.extractor;
  if (which !== 'offline' && which !== 'llm') throw new Error('--extractor must be offline or llm');
  let cases = loadCases(resolve(args.cases));
  if (args.tag) cases = cases.filter((c) => c.tags.includes(args.tag as string));
  // The path the bot ships (createIntentExtractor): help and who-holds are recognised before either
  // extractor, so the eval scores that wrapper too, not the bare parser.
  const inner =
    which === 'offline'
      ? { extractor: createOfflineExtractor(), close: async () => {} }
      : await llmExtractor();
  const { extractor, close } = { extractor: withHelp(inner.extractor), close: inner.close };
  const results: CaseResult[] = [];
  try {
    for (const c of cases) results.push(await runCase(extractor, c));
  } finally {
    await close();
  }
  const summary = summarise(results);
  printTable(which, summary, results);
  const out = join(here, 'results', `${which}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ extractor: which, ...summary, cases: results }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
  const failures: string[] = [];
  if (summary.unsafe > 0) failures.push(`unsafe outputs: ${summary.unsafe}`);
  if (which === 'offline' && summary.englishRequestExact < MIN_ENGLISH_EXACT)
    failures.push(`english-request exact ${pct(summary.englishRequestExact)} < ${pct(MIN_ENGLISH_EXACT)}`);
  for (const f of failures) console.error(`FAIL: ${f}`);
  return failures.length ? 1 : 0;
}

async function runCase(extractor: IntentExtractor, c: EvalCase): Promise<CaseResult> {
  const now = nowOf(c);
  const r = await extractor.extract({ text: c.text, roles: c.roles, timeZone: c.tz ?? 'UTC', now });
  return {
    id: c.id,
    tags: c.tags,
    exact: exactMatch(c.expected, r.intents, now),
    fields: fieldAgreement(c.expected, r.intents, now) as Record<string, boolean>,
    unsafe: unsafeFindings(c.expected, r.intents, c.roles, now, c.asked),
    expected: c.expected,
    actual: r.intents,
    source: r.source,
    ...(r.fallbackReason ? { fallbackReason: r.fallbackReason } : {}),
  };
}

function summarise(results: CaseResult[]) {
  const rate = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : 1);
  const english = results.filter((r) => r.tags.includes(ENGLISH_REQUEST));
  const perField = Object.fromEntries(
    FIELDS.map((f) => {
      const xs = results.flatMap((r) => (f in r.fields ? [r.fields[f] as boolean] : []));
      return [f, { accuracy: rate(xs), cases: xs.length }];
    }),
  );
  const tags = [...new Set(results.flatMap((r) => r.tags))].sort();
  const perTag = Object.fromEntries(
    tags.map((t) => {
      const rs = results.filter((r) => r.tags.includes(t));
      return [
        t,
        {
          exact: rate(rs.map((r) => r.exact)),
          cases: rs.length,
          unsafe: rs.filter((r) => r.unsafe.length).length,
        },
      ];
    }),
  );
  const fallbacks: Record<string, number> = {};
  for (const r of results)
    if (r.fallbackReason) fallbacks[r.fallbackReason] = (fallbacks[r.fallbackReason] ?? 0) + 1;
  return {
    cases: results.length,
    exact: rate(results.map((r) => r.exact)),
    englishRequestCases: english.length,
    englishRequestExact: rate(english.map((r) => r.exact)),
    unsafe: results.reduce((n, r) => n + r.unsafe.length, 0),
    unsafeCases: results.filter((r) => r.unsafe.length).map((r) => r.id),
    perField,
    perTag,
    fallbacks,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function printTable(which: string, s: ReturnType<typeof summarise>, results: CaseResult[]): void {
  console.log(`extractor: ${which}   cases: ${s.cases}`);
  console.log(`exact (all)            ${pct(s.exact)}`);
  console.log(`exact (english-request) ${pct(s.englishRequestExact)}  (${s.englishRequestCases} cases)`);
  console.log(
    `unsafe                 ${s.unsafe}${s.unsafeCases.length ? `  in ${s.unsafeCases.join(', ')}` : ''}`,
  );
  if (Object.keys(s.fallbacks).length) console.log(`fallbacks              ${JSON.stringify(s.fallbacks)}`);
  console.log('\nfield          accuracy  cases');
  for (const [f, v] of Object.entries(s.perField))
    console.log(`${f.padEnd(14)} ${pct(v.accuracy).padStart(8)}  ${String(v.cases).padStart(5)}`);
  console.log('\ntag                    exact  cases  unsafe');
  for (const [t, v] of Object.entries(s.perTag))
    console.log(
      `${t.padEnd(20)} ${pct(v.exact).padStart(7)}  ${String(v.cases).padStart(5)}  ${String(v.unsafe).padStart(6)}`,
    );
  if (args.quiet) return;
  const misses = results.filter((r) => !r.exact);
  if (misses.length) console.log('\nmisses:');
  for (const r of misses)
    console.log(
      `  ${r.id}: expected ${JSON.stringify(r.expected)}\n  ${' '.repeat(r.id.length)}  got      ${JSON.stringify(r.actual)}`,
    );
}

async function llmExtractor(): Promise<{ extractor: IntentExtractor; close: () => Promise<void> }> {
  const { llmForEval } = await import('./llm-harness.ts');
  return llmForEval({
    record: args.record,
    replay: args.replay,
    recordingsDir: args.recordings ? resolve(args.recordings) : join(here, 'recordings'),
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
