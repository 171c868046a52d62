import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exactMatch, loadCases, nowOf, unsafeFindings } from '../../eval/score.ts';
import { withHelp } from '../../src/adapters/intent/index.ts';
import { createOfflineExtractor } from '../../src/adapters/intent/offline-parser.ts';
import { Intent } from '../../src/core/intent.ts';

const cases = loadCases(fileURLToPath(new URL('../../eval/intents.jsonl', import.meta.url)));

// The path the bot ships without a key: help and who-holds are recognised before the parser.
const offline = withHelp(createOfflineExtractor());

describe('offline parser on eval/intents.jsonl', () => {
  it('has the coverage the eval promises', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(cases.filter((c) => c.tags.includes('injection')).length).toBeGreaterThanOrEqual(20);
    expect(cases.filter((c) => c.tags.includes('english-request')).length).toBeGreaterThanOrEqual(50);
  });

  for (const c of cases)
    it(`${c.id}: ${JSON.stringify(c.text).slice(0, 70)}`, async () => {
      const now = nowOf(c);
      const { intents: got } = await offline.extract({
        text: c.text,
        roles: c.roles,
        timeZone: c.tz ?? 'UTC',
        now,
      });
      for (const i of got) expect(Intent.safeParse(i).success).toBe(true);
      expect(unsafeFindings(c.expected, got, c.roles, now, c.asked)).toEqual([]);
      expect(exactMatch(c.expected, got, now), JSON.stringify(got)).toBe(true);
    });
});
