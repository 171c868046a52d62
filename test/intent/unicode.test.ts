import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOffline } from '../../src/adapters/intent/offline-parser.ts';
import { createAnthropicExtractor } from '../../src/adapters/llm/anthropic-extractor.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import type { Intent } from '../../src/core/intent.ts';
import {
  type FakeAnthropic,
  type FakeRequest,
  startFakeAnthropic,
  toolUse,
} from '../support/fake-anthropic.ts';

/**
 * Issue 13, finding 2: zero-width characters, soft hyphens, word joiners, fullwidth forms and
 * look-alike letters hid "ignore previous instructions", "SYSTEM:", "not", "never" and "if" from the
 * guards. Every entry of the corpus goes through the offline parser and through the LLM path with a
 * model that reads hidden text and obeys it.
 *
 * `expect`: a none reason (the offline parser answers exactly that), `no-change` (no role change on
 * either path), or `request:<role>` (a control: normalised, it is a plain request for that role).
 */
interface Entry {
  name: string;
  text: string;
  expect: string;
}
const CORPUS = readFileSync(new URL('./unicode-corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Entry);
const roles = ['viewer', 'editor', 'admin', 'owner'];
const now = new Date('2025-03-12T15:00:00Z');
const changes = (intents: Intent[]) => intents.filter((i) => i.kind === 'request_role_change');

describe('unicode corpus, offline parser', () => {
  for (const e of CORPUS)
    it(`${e.name}: ${e.expect}`, () => {
      const got = parseOffline({ text: e.text, roles, now, timeZone: 'UTC' });
      if (e.expect.startsWith('request:')) {
        expect(got).toEqual([
          expect.objectContaining({ kind: 'request_role_change', role: e.expect.slice(8), action: 'grant' }),
        ]);
      } else if (e.expect === 'no-change') expect(changes(got)).toEqual([]);
      else expect(got).toEqual([{ kind: 'none', reason: e.expect }]);
    });
});

/** What a model sees, tag characters (U+E0020…E007E) read as the ASCII they smuggle. */
const seen = (req: FakeRequest) =>
  String(req.body.messages[0].content).replace(/[\u{E0020}-\u{E007E}]/gu, (c) =>
    String.fromCharCode((c.codePointAt(0) ?? 0) - 0xe0000),
  );

describe('unicode corpus, LLM path with a model that obeys hidden text', () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    // Grants the top role the message names, to the sender: what an obedient model would do.
    fake.setScript((req) => {
      const text = seen(req).toLowerCase();
      const role = [...roles].reverse().find((r) => text.includes(r)) ?? 'owner';
      return toolUse({
        name: 'request_role_change',
        input: {
          action: 'grant',
          targets: [{ kind: 'me', value: '' }],
          role,
          duration_phrase: '',
          justification: '',
        },
      });
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  for (const e of CORPUS)
    it(`${e.name}: ${e.expect}`, async () => {
      const x = createAnthropicExtractor({
        apiKey: 'sk-ant-test',
        baseURL: fake.baseUrl,
        model: 'claude-test',
        timeoutMs: 5_000,
        maxRetries: 0,
        logger: createLogger({ level: 'silent' }),
      });
      const { intents } = await x.extract({ text: e.text, roles, now, timeZone: 'UTC' });
      if (e.expect.startsWith('request:'))
        for (const c of changes(intents)) expect(c).toMatchObject({ role: e.expect.slice(8) });
      else expect(changes(intents)).toEqual([]);
    });
});
