import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCases, nowOf } from '../../eval/score.ts';
import { parseOffline } from '../../src/adapters/intent/offline-parser.ts';
import { createAnthropicExtractor } from '../../src/adapters/llm/anthropic-extractor.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import type { Intent, Target } from '../../src/core/intent.ts';
import { type FakeAnthropic, startFakeAnthropic, toolUse } from '../support/fake-anthropic.ts';

/**
 * Issue 16: multi-intent requests, reasons without a marker, relayed requests, politeness idioms and
 * "I don't need it anymore" must be handled the same way on the LLM path (same normalisation, same
 * grounding, same guards). A model that answers exactly what the offline parser understood must get
 * the same intents through: a guard that refused them on one path only would show up here.
 */
const cases = loadCases(fileURLToPath(new URL('../../eval/intents.jsonl', import.meta.url))).filter((c) =>
  c.tags.includes('dev16'),
);
const tool = (t: Target) =>
  t.kind === 'me'
    ? { kind: 'me', value: '' }
    : t.kind === 'slack_user'
      ? { kind: 'slack_user', value: t.userId }
      : t.kind === 'email'
        ? { kind: 'email', value: t.email }
        : { kind: 'name', value: t.name };

describe('the LLM path keeps what the offline parser understood', () => {
  let fake: FakeAnthropic;
  const now = new Date('2025-03-12T15:00:00Z');
  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(async () => {
    await fake.close();
  });

  for (const c of cases)
    it(c.id, async () => {
      const offline = parseOffline({ text: c.text, roles: c.roles, now: nowOf(c), timeZone: 'UTC' });
      const changes = offline.filter(
        (i): i is Extract<Intent, { kind: 'request_role_change' }> => i.kind === 'request_role_change',
      );
      // Time limits need the phrase as written, which the intent no longer carries.
      if (!changes.length || changes.some((i) => i.durationMs || i.until)) return;
      fake.setScript(() => {
        return toolUse(
          ...changes.map((i) => ({
            name: 'request_role_change',
            input: {
              action: i.action,
              targets: i.targets.map(tool),
              role: i.role,
              duration_phrase: '',
              justification: i.justification ?? '',
              extend: false,
            },
          })),
        );
      });
      const x = createAnthropicExtractor({
        apiKey: 'sk-ant-test',
        baseURL: fake.baseUrl,
        model: 'parity',
        timeoutMs: 5_000,
        maxRetries: 0,
        logger: createLogger({ level: 'silent' }),
      });
      const r = await x.extract({ text: c.text, roles: c.roles, now, timeZone: 'UTC' });
      // Terse requests ("<@U1> -> editor") carry no grant word, which grounding requires of a model's
      // grant: the path falls back to the offline parser, with the same answer.
      if (r.source !== 'llm') expect(r.fallbackReason).toBe('ungrounded_output');
      expect(r.intents).toEqual(changes);
    });
});
