import { describe, expect, it } from 'vitest';
import { readPartial, recogniseHelp } from '../../src/adapters/intent/help-recogniser.ts';
import { withHelp } from '../../src/adapters/intent/index.ts';
import type { IntentExtractor } from '../../src/ports/intent-extractor.ts';

/** Issue 16: "help" and "who are the admins?" before either extractor; what a not-understood message still says. */
const roles = ['viewer', 'editor', 'admin', 'owner'];

describe('recogniseHelp', () => {
  it.each([
    'help',
    'Help!',
    'what can I do?',
    'hey rolecall, what can I ask for?',
    'how does this work',
    'help please',
  ])('%s → help', (text) => expect(recogniseHelp(text, roles)).toEqual({ kind: 'help' }));
  it.each([
    ['who are the admins?', 'admin'],
    ['who is an owner', 'owner'],
    ['who has editor?', 'editor'],
    ['who holds the admin role', 'admin'],
    ['list the viewers', 'viewer'],
  ])('%s → who holds %s', (text, role) =>
    expect(recogniseHelp(text, roles)).toEqual({ kind: 'who_holds', role }),
  );
  it.each([
    'help me get admin for 2 hours',
    'who is dana?',
    'who are the billing leads?',
    'make bob an admin',
    'I need help with the admins group, please give me admin',
  ])('%s → not ours', (text) => expect(recogniseHelp(text, roles)).toBeUndefined());
});

describe('readPartial', () => {
  it('reads role, people, length and reason leniently', () => {
    expect(readPartial('can u sort <@U0DANA> out w/ editor for 2 hrs because INC-2231', roles)).toEqual({
      partial: {
        targets: [{ kind: 'slack_user', userId: 'U0DANA' }],
        role: 'editor',
        durationMs: 7_200_000,
        justification: 'INC-2231',
      },
    });
    expect(readPartial('I need admins access', roles).partial).toEqual({
      targets: [{ kind: 'me' }],
      role: 'admin',
    });
  });
  it('reads a terse length after a comma', () => {
    expect(readPartial('could you sort out editor access for Dana Kim, 2 hrs', roles).partial).toMatchObject({
      role: 'editor',
      durationMs: 7_200_000,
    });
  });
  it('flags "for 0 hours" and "for 100 years"', () => {
    expect(readPartial('make dana an editor for 0 hours', roles).reason).toBe('zero_duration');
    expect(readPartial('make dana an editor for 100 years', roles).reason).toBe('too_long');
    expect(readPartial('make dana an editor for a century', roles).reason).toBe('too_long');
  });
});

describe('withHelp (both extractor paths)', () => {
  const inner = (intents: unknown[]): IntentExtractor & { calls: number } => {
    const x = {
      calls: 0,
      async extract() {
        x.calls++;
        return { intents: intents as never, source: 'llm' as const };
      },
    };
    return x;
  };
  const input = (text: string) => ({ text, roles, now: new Date('2026-01-01T00:00:00Z') });

  it('answers help without asking the extractor', async () => {
    const x = inner([]);
    expect((await withHelp(x).extract(input('help'))).intents).toEqual([{ kind: 'help' }]);
    expect(x.calls).toBe(0);
  });
  it('adds what it could read to a none, and gives 0 / 100 years their own reason', async () => {
    const unclear = inner([{ kind: 'none', reason: 'unclear' }]);
    expect((await withHelp(unclear).extract(input('editor for me for 0 hours pls'))).intents).toEqual([
      { kind: 'none', reason: 'zero_duration', partial: { targets: [{ kind: 'me' }], role: 'editor' } },
    ]);
  });
  it('leaves injection, negation and understood requests alone', async () => {
    for (const reason of ['injection', 'negated']) {
      const x = inner([{ kind: 'none', reason }]);
      const out = (await withHelp(x).extract(input("don't make me an editor for 0 hours"))).intents;
      expect(out).toEqual(
        reason === 'injection' ? [{ kind: 'none', reason }] : [expect.objectContaining({ reason })],
      );
    }
    const ok = inner([{ kind: 'cancel' }]);
    expect((await withHelp(ok).extract(input('cancel'))).intents).toEqual([{ kind: 'cancel' }]);
  });
});
