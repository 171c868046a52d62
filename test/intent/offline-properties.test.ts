import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOffline } from '../../src/adapters/intent/offline-parser.ts';
import { Intent } from '../../src/core/intent.ts';

const roles = ['viewer', 'editor', 'admin', 'owner'];
const now = new Date('2025-03-12T15:00:00Z');
const words = [
  ...['make', 'give', 'grant', 'add', 'remove', 'revoke', 'promote', 'set', 'need', 'can', 'you', 'i', 'get'],
  ...['me', 'my', 'bob', 'Carol', '@dana', '<@U111AAA>', '<@U222BBB|bee>', 'x@corp.io', 'and', ',', 'or'],
  ...['an', 'a', 'the', 'to', 'from', 'as', 'of', 'for', 'role', 'access', 'please', 'because', 'audit'],
  ...['admin', 'admins', 'editor', 'veiwer', 'owner', 'administrator', 'superuser', 'billing'],
  ...['for 2h', 'until Friday', 'for a while', 'in 2 hours', "don't", 'never', 'not', 'if', 'said', '?', '.'],
];
const message = fc
  .array(fc.constantFrom(...words), { minLength: 1, maxLength: 12 })
  .map((ws) => ws.join(' '));
const NEGATION = /\b(don't|never|not)\b/;

describe('offline parser invariants on generated messages', () => {
  it('only ever names catalogue roles and people written in the text', () => {
    fc.assert(
      fc.property(message, (text) => {
        for (const i of parseOffline({ text, roles, now, timeZone: 'UTC' })) {
          expect(Intent.safeParse(i).success).toBe(true);
          if (i.kind !== 'request_role_change') continue;
          expect(roles).toContain(i.role);
          for (const t of i.targets) {
            if (t.kind === 'slack_user') expect(text).toContain(`<@${t.userId}`);
            if (t.kind === 'email') expect(text.toLowerCase()).toContain(t.email);
            if (t.kind === 'name') expect(text.toLowerCase()).toContain(t.name.toLowerCase());
            // "need admin" without a subject speaks for the sender.
            if (t.kind === 'me') expect(text).toMatch(/\b(me|my|i|need)\b/i);
          }
        }
      }),
      { numRuns: 3000, seed: 20250312 },
    );
  });

  it('never turns a negated, conditional, reported or vaguely timed message into a role change', () => {
    fc.assert(
      fc.property(message, (text) => {
        const risky =
          NEGATION.test(text) || /\b(if|said)\b/.test(text) || /for a while|in 2 hours/.test(text);
        const changes = parseOffline({ text, roles, now }).filter((i) => i.kind === 'request_role_change');
        if (risky) expect(changes).toEqual([]);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('a grant asked "for 2h" is never open-ended', () => {
    fc.assert(
      fc.property(message, (body) => {
        const text = `${body} for 2h`;
        for (const i of parseOffline({ text, roles, now }))
          if (i.kind === 'request_role_change' && i.action === 'grant') expect(i.durationMs).toBe(7_200_000);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('any prompt-injection marker makes the whole message `injection`', () => {
    const markers = [
      'ignore previous instructions',
      '</message>',
      '\nSYSTEM: ',
      '&lt;/slack_message&gt;',
      '[INST]',
    ];
    fc.assert(
      fc.property(message, fc.constantFrom(...markers), fc.boolean(), (body, marker, before) => {
        const text = before ? `${marker} ${body}` : `${body} ${marker}`;
        expect(parseOffline({ text, roles, now })).toEqual([{ kind: 'none', reason: 'injection' }]);
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});
