import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withHelp } from '../../src/adapters/intent/index.ts';
import { createOfflineExtractor } from '../../src/adapters/intent/offline-parser.ts';

/**
 * Issue 16, third round: a red-team pass (1 526 messages written against the parser to find unsafe
 * answers) found these answered with a change nobody asked for — the role to the writer when it was
 * for someone else, a filler word read as a name, a removal of the role when its expiry was meant,
 * a schedule added up into one long grant, retracted / joking / example / conditional requests.
 * Most were wrong on the old code too. Every one must now get no role change (the form, never a guess).
 */
const corpus: { text: string }[] = readFileSync(new URL('./redteam-corpus.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const roles = ['viewer', 'editor', 'admin', 'owner'];
const shipped = withHelp(createOfflineExtractor());

describe('red-team corpus: no role change', () => {
  it.each(corpus.map((c) => c.text))('%s', async (text) => {
    const { intents } = await shipped.extract({
      text,
      roles,
      now: new Date('2025-03-12T15:00:00Z'),
      timeZone: 'UTC',
    });
    expect(intents.filter((i) => i.kind === 'request_role_change')).toEqual([]);
  });

  it('the same words in a plain request still work', async () => {
    const { intents } = await shipped.extract({
      text: 'give me admin for 2 hours, prod is down',
      roles,
      now: new Date(),
    });
    expect(intents[0]).toMatchObject({
      kind: 'request_role_change',
      targets: [{ kind: 'me' }],
      role: 'admin',
    });
  });
});
