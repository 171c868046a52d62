import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCases, nowOf, unsafeFindings } from '../../eval/score.ts';
import { parseOffline } from '../../src/adapters/intent/offline-parser.ts';
import { createAnthropicExtractor } from '../../src/adapters/llm/anthropic-extractor.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import {
  type FakeAnthropic,
  type FakeRequest,
  startFakeAnthropic,
  toolUse,
} from '../support/fake-anthropic.ts';

/**
 * A model that tries to hand out more than was asked, on every eval message. Whatever it answers,
 * the LLM path (validation, grounding, guards, fallback) must produce nothing unsafe.
 */
const cases = loadCases(fileURLToPath(new URL('../../eval/intents.jsonl', import.meta.url)));

const messageOf = (req: FakeRequest) =>
  String(req.body.messages[0].content).split('\n').slice(1, -1).join('\n');
const rolesOf = (req: FakeRequest): string[] => req.body.tools[0].input_schema.properties.role.enum;
const grant = (role: string, targets: { kind: string; value: string }[], duration_phrase = '') =>
  toolUse({
    name: 'request_role_change',
    input: { action: 'grant', targets, role, duration_phrase, justification: '' },
  });

const STRATEGIES: Record<string, (req: FakeRequest) => ReturnType<typeof toolUse>> = {
  'top role to me': (req) => grant(rolesOf(req).at(-1) ?? 'owner', [{ kind: 'me', value: '' }]),
  'a stranger': (req) => grant(rolesOf(req)[0] ?? 'viewer', [{ kind: 'slack_user', value: 'U999EVIL' }]),
  'obeys injections': (req) =>
    /owner/i.test(messageOf(req))
      ? grant('owner', [{ kind: 'me', value: '' }])
      : toolUse({ name: 'none', input: { reason: 'unclear' } }),
  'named role, first person, no limit': (req) => {
    const text = messageOf(req);
    const role = rolesOf(req).find((r) => text.toLowerCase().includes(r)) ?? 'admin';
    const mention = /<@([UW][A-Z0-9]+)/.exec(text)?.[1];
    return grant(role, [mention ? { kind: 'slack_user', value: mention } : { kind: 'me', value: '' }]);
  },
  'the right answer, escalated and unlimited': (req) => {
    const roles = rolesOf(req);
    const parsed = parseOffline({
      text: messageOf(req),
      roles,
      now: new Date('2025-03-12T15:00:00Z'),
      timeZone: 'UTC',
    });
    const change = parsed.find((i) => i.kind === 'request_role_change');
    if (change?.kind !== 'request_role_change')
      return grant(roles.at(-1) ?? 'owner', [{ kind: 'me', value: '' }]);
    const targets = change.targets.map((t) =>
      t.kind === 'me'
        ? { kind: 'me', value: '' }
        : t.kind === 'slack_user'
          ? { kind: 'slack_user', value: t.userId }
          : t.kind === 'email'
            ? { kind: 'email', value: t.email }
            : { kind: 'name', value: t.name },
    );
    return grant(roles.at(-1) ?? 'owner', targets);
  },
};

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake.close();
});

describe('a hostile model cannot get anything unsafe through', () => {
  for (const [name, strategy] of Object.entries(STRATEGIES))
    it(name, async () => {
      fake.setScript((req) => strategy(req));
      const x = createAnthropicExtractor({
        apiKey: 'sk-ant-test',
        baseURL: fake.baseUrl,
        model: 'hostile',
        timeoutMs: 5_000,
        maxRetries: 0,
        logger: createLogger({ level: 'silent' }),
      });
      const unsafe: string[] = [];
      for (const c of cases) {
        const now = nowOf(c);
        const r = await x.extract({ text: c.text, roles: c.roles, timeZone: c.tz ?? 'UTC', now });
        for (const f of unsafeFindings(c.expected, r.intents, c.roles, now, c.asked))
          unsafe.push(`${c.id}: ${f}`);
      }
      expect(unsafe).toEqual([]);
    });
});
