import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicExtractor } from '../../src/adapters/llm/anthropic-extractor.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { type FakeAnthropic, startFakeAnthropic, toolUse } from '../support/fake-anthropic.ts';

/** Issue 16: the model path has the same help and who-holds intents, grounded like role changes. */
const roles = ['viewer', 'editor', 'admin', 'owner'];
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake.close();
});

const extract = (text: string, call: { name: string; input: unknown }) => {
  fake.setScript([toolUse(call)]);
  return createAnthropicExtractor({
    apiKey: 'sk-ant-test-key',
    baseURL: fake.baseUrl,
    model: 'claude-test-model',
    timeoutMs: 5_000,
    maxRetries: 0,
    logger: createLogger({ level: 'silent' }),
  }).extract({ text, roles, now: new Date('2026-01-01T00:00:00Z'), timeZone: 'UTC' });
};

describe('help and who_holds tools', () => {
  it('turns the calls into intents', async () => {
    expect(
      (await extract('any idea what I am allowed to ask you for?', { name: 'help', input: {} })).intents,
    ).toEqual([{ kind: 'help' }]);
    const who = await extract('could you tell me which people are admins in this workspace', {
      name: 'who_holds',
      input: { role: 'admin' },
    });
    expect(who.intents).toEqual([{ kind: 'who_holds', role: 'admin' }]);
  });

  it('drops a role the message does not name', async () => {
    const r = await extract('who runs this place?', { name: 'who_holds', input: { role: 'owner' } });
    expect(r.intents.some((i) => i.kind === 'who_holds')).toBe(false);
  });
});
