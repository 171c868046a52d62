import { describe, expect, it } from 'vitest';
import { when } from '../../src/app/messages.ts';

describe('when(): instants in messages', () => {
  it("is a Slack date token (each reader's own zone) with a UTC fallback to the minute", () => {
    expect(when('2026-12-02T04:03:08.301Z')).toBe(
      '<!date^1796184188^{date_short_pretty} at {time}|2026-12-02 04:03 UTC>',
    );
  });
  it('never passes through something that is not an instant unescaped', () => {
    expect(when('<!channel>')).toBe('&lt;!channel&gt;');
  });
});
