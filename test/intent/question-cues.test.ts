import { describe, expect, it } from 'vitest';
import { withHelp } from '../../src/adapters/intent/index.ts';
import { createOfflineExtractor } from '../../src/adapters/intent/offline-parser.ts';
import { readQuestion } from '../../src/adapters/intent/question-cues.ts';

/** Issue 16, third round: questions read by cue words after the extractor gave up (our own wording). */
const roles = ['viewer', 'editor', 'billing-admin', 'admin', 'owner'];
const shipped = withHelp(createOfflineExtractor());
const extract = async (text: string) =>
  (await shipped.extract({ text, roles, now: new Date('2025-03-12T15:00:00Z') })).intents;

describe('who holds a role, by cue words', () => {
  it.each([
    ['does anybody here have billing-admin right now?', 'billing-admin'],
    ['pls list all editors on this workspace', 'editor'],
    ['which people are owners atm', 'owner'],
    ['how many folks have admin today and who', 'admin'],
    ['need the holders of viewer for the audit', 'viewer'],
  ])('%s → who holds %s', async (text, role) =>
    expect(await extract(text)).toEqual([{ kind: 'who_holds', role }]),
  );

  it.each([
    'who can give me admin?',
    'I need admin, who approves that?',
    "extend everyone's admin by 1h",
    "who doesn't have editor",
    'who has admin and make bob an editor',
  ])('%s → not a who-holds question', async (text) =>
    expect((await extract(text)).map((i) => i.kind)).not.toContain('who_holds'),
  );
});

describe('help, get_roles and cancel, by cue words', () => {
  it.each([
    'so how do I actually use this thing?',
    'new here, what can you help with',
    'who signs off on my asks?',
  ])('%s → help', async (text) => expect(await extract(text)).toEqual([{ kind: 'help' }]));
  it('reads whose access is asked', async () => {
    expect(await extract('could u check which permissions I have')).toEqual([
      { kind: 'get_roles', target: { kind: 'me' } },
    ]);
    expect(await extract("what's Priya's access like here?")).toEqual([
      { kind: 'get_roles', target: { kind: 'name', name: 'Priya' } },
    ]);
    expect(await extract('quick one, what rights does <mailto:x@y.io|x@y.io> have')).toEqual([
      { kind: 'get_roles', target: { kind: 'email', email: 'x@y.io' } },
    ]);
  });
  it('never answers for two people at once, or for a question it does not know', () => {
    expect(readQuestion('what access do <@U1AAA> and <@U2BBB> have', roles)).toBeUndefined();
    expect(
      readQuestion('what access does my manager think I should get next quarter', roles),
    ).toBeUndefined();
  });
  it.each(['ugh, scratch that, cancel pls', 'actually never mind, withdraw my request'])(
    '%s → cancel',
    async (text) => expect(await extract(text)).toEqual([{ kind: 'cancel' }]),
  );
  it('a cancel beside anything else is not a cancel', () => {
    expect(readQuestion('cancel that and give me editor', roles)).toBeUndefined();
  });
});
