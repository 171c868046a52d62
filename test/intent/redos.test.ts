import fc from 'fast-check';
import { checkSync } from 'recheck';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressedOnly, clausesOf } from '../../src/adapters/intent/clauses.ts';
import { createOfflineExtractor } from '../../src/adapters/intent/offline-parser.ts';
import { type Token, tokenize } from '../../src/adapters/intent/text.ts';
import { createAnthropicExtractor } from '../../src/adapters/llm/anthropic-extractor.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { HOSTILE_PIECES, longInputs } from '../reliability/abuse-long-inputs.ts';
import { recordPatterns } from '../reliability/abuse-patterns.ts';
import { type FakeAnthropic, startFakeAnthropic, toolUse } from '../support/fake-anthropic.ts';

/**
 * Issue 13, finding 1: one message could stall the bot (a cubic injection pattern, a quadratic email
 * pattern, a clause splitter that re-read everything seen so far, no length cap on the LLM path).
 * The guarantees are proven by counting work, never by timing it (times are in `npm run bench --
 * guards`):
 * - every regular expression the guards, the parser and grounding run is linear, per recheck (a
 *   ReDoS checker we did not write, which counts the steps of a backtracking VM on attack strings);
 * - the clause splitter reads each token a bounded number of times;
 * - no more than MAX_TEXT characters of a message ever reach the guards, the parser, grounding or
 *   the model, on either extractor, whatever Slack delivers (up to 40 000 characters).
 */
const roles = ['viewer', 'editor', 'admin', 'owner'];
const now = new Date('2025-03-12T15:00:00Z');
const SLACK_MAX = 40_000;
const MAX_TEXT = 4_000;

describe('regular expressions are linear', () => {
  const patterns = recordPatterns();
  it('records the patterns of the guards, the parser and grounding', () => {
    expect(patterns.length).toBeGreaterThan(50);
  });
  it('recheck finds no pattern with super-linear backtracking', () => {
    const bad: string[] = [];
    for (const re of patterns) {
      // g and d change what is reported, not how the engine backtracks. A sticky pattern is checked
      // as if searched from every position: the tokenizer does try it at every position.
      // recheck's timeout is wall time and answers 'unknown' when hit (a shared, busy machine hit
      // 30 s once): a generous bound, and 'unknown' still fails.
      const r = checkSync(re.source, re.flags.replace(/[dgy]/g, ''), { randomSeed: 13, timeout: 120_000 });
      if (r.status !== 'safe')
        bad.push(`${r.status} ${'complexity' in r ? r.complexity.type : ''}: /${re.source}/${re.flags}`);
    }
    expect(bad).toEqual([]);
  }, 600_000);
});

/** Wraps tokens so that every property read of a token or index read of the array counts a step. */
function counted(tokens: Token[]): { tokens: Token[]; steps: () => number } {
  let n = 0;
  const wrapped = tokens.map(
    (t) =>
      new Proxy(t, {
        get(o, k, r) {
          n++;
          return Reflect.get(o, k, r);
        },
      }),
  );
  const arr = new Proxy(wrapped, {
    get(o, k, r) {
      if (typeof k === 'string' && k.length && k.charCodeAt(0) >= 48 && k.charCodeAt(0) <= 57) n++;
      return Reflect.get(o, k, r);
    },
  });
  return { tokens: arr, steps: () => n };
}

const hostile = fc
  .array(fc.constantFrom(...HOSTILE_PIECES), { minLength: 1, maxLength: 4000 })
  .map((xs) => xs.join('').slice(0, SLACK_MAX));
const examples = longInputs(SLACK_MAX).map((i): [string] => [i.text]);

describe('the clause splitter reads each token a bounded number of times', () => {
  it('steps ≤ 40 per token, on 40 000-character adversarial messages', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const all = tokenize(text);
        const c = counted(all);
        clausesOf(c.tokens, []);
        addressedOnly(c.tokens);
        expect(c.steps()).toBeLessThanOrEqual(40 * all.length + 100);
      }),
      { numRuns: 60, seed: 13, examples },
    );
  });
});

describe('no more than MAX_TEXT characters reach the guards, the parser or the model', () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    fake.setScript(() => toolUse({ name: 'none', input: { reason: 'not_a_request' } }));
  });
  afterAll(async () => {
    await fake.close();
  });
  const llm = () =>
    createAnthropicExtractor({
      apiKey: 'sk-ant-test',
      baseURL: fake.baseUrl,
      model: 'claude-test',
      timeoutMs: 5_000,
      maxRetries: 0,
      logger: createLogger({ level: 'silent' }),
      // A fallback that fails the test if it is ever handed more than the cap.
      fallback: {
        async extract(input) {
          expect(input.text.length).toBeLessThanOrEqual(MAX_TEXT);
          return createOfflineExtractor().extract(input);
        },
      },
    });
  const sized = fc
    .tuple(
      fc.integer({ min: 1, max: SLACK_MAX }),
      fc.constantFrom(...HOSTILE_PIECES.filter((p) => p !== '\n')),
    )
    .map(([n, piece]) => `make me an admin ${piece.repeat(Math.ceil(n / piece.length))}`.slice(0, n));

  it('LLM path: a longer message never reaches the model and is refused', async () => {
    await fc.assert(
      fc.asyncProperty(sized, async (text) => {
        const before = fake.requests.length;
        const r = await llm().extract({ text, roles, now, timeZone: 'UTC' });
        const sent = fake.requests.slice(before);
        if (text.length > MAX_TEXT) {
          expect(sent).toEqual([]);
          expect(r.intents).toEqual([{ kind: 'none', reason: 'unclear' }]);
        }
        for (const req of sent)
          expect(String(req.body.messages[0].content).length).toBeLessThan(MAX_TEXT + 200);
      }),
      { numRuns: 25, seed: 13 },
    );
  });

  it('offline path: a longer message is refused', async () => {
    await fc.assert(
      fc.asyncProperty(sized, async (text) => {
        const r = await createOfflineExtractor().extract({ text, roles, now, timeZone: 'UTC' });
        if (text.length > MAX_TEXT) expect(r.intents).toEqual([{ kind: 'none', reason: 'unclear' }]);
      }),
      { numRuns: 25, seed: 13 },
    );
  });
});
