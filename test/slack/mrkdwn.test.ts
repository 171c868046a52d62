import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, renderCard } from '../../src/adapters/slack/blocks.ts';
import { dateToken, mrkdwn } from '../../src/adapters/slack/mrkdwn.ts';
import { homeView } from '../../src/adapters/slack/views.ts';
import { approvalCard, confirmationCard, decidedStatus } from '../../src/app/messages.ts';
import { code, type Inline, link, mention, rich, strong, text, time } from '../../src/core/rich-text.ts';
import type { Card } from '../../src/ports/chat.ts';
import { request } from '../core/request-fixtures.ts';
import { blockProblems, viewProblems } from '../support/slack-blocks.ts';
import { rawPlainText } from '../support/slack-contract.ts';

/**
 * The Slack renderer of neutral rich text (docs.slack.dev/messaging/formatting-message-text):
 * "Escaping text" names `&`, `<` and `>` as the characters to encode; Slack offers no escape for
 * the formatting markers, so the renderer defuses an opening marker in text with a zero-width space.
 */
const ZWSP = '\u200b';
const HOSTILE = '<!channel> *urgent* & <@U0BOSS> _now_ ~gone~ `rm -rf` <https://evil.example|click>';

const allText = (blocks: unknown) => JSON.stringify(blocks);

describe('Slack mrkdwn from neutral rich text', () => {
  it('escapes &, < and > in text, so typed mentions and broadcasts stay text', () => {
    expect(mrkdwn('<!channel> & <@U0BOSS>')).toBe('&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;');
    expect(mrkdwn([text('a&b'), strong('x<y'), code('<!here>')])).toBe('a&amp;b*x&lt;y*`&lt;!here&gt;`');
  });

  it('defuses formatting a person typed: *bold*, _italic_, ~strike~ and `code` are not formatted', () => {
    const out = mrkdwn('*urgent* _now_ ~gone~ `x`');
    expect(out).toBe(`*${ZWSP}urgent* _${ZWSP}now_ ~${ZWSP}gone~ \`${ZWSP}x\``);
    // Mid-word markers never format in Slack and stay as typed (emails, snake_case).
    expect(mrkdwn('first_last@x.com 2*3*4')).toBe('first_last@x.com 2*3*4');
  });

  it('renders strong and code spans whose text holds their own marker without ending them early', () => {
    expect(mrkdwn([strong('a*b')])).toBe('*a∗b*');
    expect(mrkdwn([code('a`b\nc')])).toBe('`aˋb c`');
  });

  it('renders mentions of Slack user ids only; anything else is shown as text', () => {
    expect(mrkdwn([mention('U0DANA')])).toBe('<@U0DANA>');
    expect(mrkdwn([mention('W0ENT1')])).toBe('<@W0ENT1>');
    expect(mrkdwn([mention('!channel')])).toBe('@!channel');
    expect(mrkdwn([mention('U1><!here')])).toBe('@U1&gt;&lt;!here');
  });

  it('renders times as <!date> tokens in the reader’s zone with a UTC fallback to the minute', () => {
    expect(mrkdwn([time('2026-12-02T04:03:08.301Z')])).toBe(
      '<!date^1796184188^{date_short_pretty} at {time}|2026-12-02 04:03 UTC>',
    );
    // Not an instant: shown as (escaped) text, never passed through.
    expect(dateToken('<!channel>')).toBe('&lt;!channel&gt;');
  });

  it('renders links only for http(s) and mailto; their labels are escaped', () => {
    expect(mrkdwn([link('https://x.example/a?b=1&c=2', 'docs <here>')])).toBe(
      '<https://x.example/a?b=1&amp;c=2|docs &lt;here&gt;>',
    );
    expect(mrkdwn([link('javascript:alert(1)', 'x')])).toBe('x');
  });

  it('shows a hostile reason, name and rejection as typed on a real card', () => {
    const r = request(undefined, {
      justification: HOSTILE,
      target: { slackUserId: 'U0BOB', displayName: '<@U0EVIL> *Bob*', scimId: 's-bob' },
      state: 'rejected',
      rejection: {
        by: { slackUserId: 'U0CAROL', displayName: 'Carol' },
        at: '2030-01-01T00:00:00.000Z',
        reason: HOSTILE,
      },
    });
    for (const card of [
      confirmationCard({ request: r, showDetails: true }),
      approvalCard(r, false, decidedStatus(r, '2030-01-01T00:05:00.000Z')),
    ]) {
      const { text: fallback, blocks } = renderCard(card);
      const shown = allText(blocks) + fallback;
      expect(shown).not.toContain('<!channel>');
      expect(shown).not.toContain('<@U0BOSS>');
      expect(shown).not.toContain('<@U0EVIL>');
      expect(shown).not.toContain('<https://evil');
      expect(shown).not.toContain('*urgent*');
      expect(shown).toContain('&lt;!channel&gt;');
      // Rolecall's own mention of the target is still a mention.
      expect(shown).toContain('<@U0BOB>');
      expect(rawPlainText(blocks)).toEqual([]);
      expect(blockProblems(blocks, LIMITS.messageBlocks)).toEqual([]);
    }
  });

  it('never makes a header of a title that holds markup-looking text', () => {
    const { blocks } = renderCard({ text: 'Grant <!channel> access?', context: 'x' });
    expect(blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Grant &lt;!channel&gt; access?' },
    });
    const plain = renderCard({ text: 'Which Dana?', context: 'x' }).blocks[0];
    expect(plain).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Which Dana?', emoji: true } });
  });

  it('App Home lines are rendered the same way', () => {
    const view = homeView({
      sections: [{ title: 'Your requests', lines: [rich`${code('editor')} for ${HOSTILE}`] }],
    });
    expect(viewProblems(view)).toEqual([]);
    expect(allText(view)).not.toContain('<!channel>');
    expect(allText(view)).toContain('`editor` for &lt;!channel&gt;');
  });

  const inline: fc.Arbitrary<Inline> = fc.oneof(
    fc.string({ maxLength: 60 }).map(text),
    fc.constantFrom('<!channel>', '<@U1>', '*b*', '&amp;', '`x`', '_i_', '\n').map(text),
    fc.string({ maxLength: 20 }).map(strong),
    fc.string({ maxLength: 20 }).map(code),
    fc.constantFrom('U0DANA', 'W0X1Y2', '<!here>', '').map(mention),
    fc.constantFrom('2030-01-01T00:00:00.000Z', 'soon', '<!date^1|x>').map(time),
    fc
      .tuple(fc.constantFrom('https://a.example', 'ftp://x', 'mailto:a@b.c'), fc.string({ maxLength: 20 }))
      .map(([u, t]) => link(u, t)),
  );
  const richArb = fc.oneof(fc.string({ maxLength: 80 }), fc.array(inline, { maxLength: 8 }));

  it('any neutral card renders to blocks Slack accepts, with no markup in plain_text and no stray <', () => {
    fc.assert(
      fc.property(
        fc.record({
          text: richArb,
          sections: fc.array(richArb, { maxLength: 3 }),
          fields: fc.array(fc.tuple(fc.string({ maxLength: 20 }), richArb), { maxLength: 4 }),
          context: richArb,
        }),
        (card: Card) => {
          const { blocks } = renderCard(card);
          expect(blockProblems(blocks, LIMITS.messageBlocks)).toEqual([]);
          expect(rawPlainText(blocks)).toEqual([]);
          // Every `<` opens a token Rolecall wrote: a mention, a date or a link.
          const tokens = allText(blocks).match(/<[^>]*>/g) ?? [];
          for (const t of tokens)
            expect(t).toMatch(
              /^<(@[UW][A-Z0-9]{2,}|!date\^\d+\^[^|]*\|[^<>]*|(https?|mailto):[^<>|]*\|[^<>]*)>$/,
            );
        },
      ),
      { numRuns: 200 },
    );
  });
});
