import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseActionId, chunkText, LIMITS, renderCard, truncate } from '../../src/adapters/slack/blocks.ts';
import { denyModal, homeView, requestModal } from '../../src/adapters/slack/views.ts';
import { rich, strong } from '../../src/core/rich-text.ts';
import type { Card } from '../../src/ports/chat.ts';
import { blockProblems, viewProblems } from '../support/slack-blocks.ts';

/** Mostly short texts, often ones near or over the limit they meet (fast-check's default sizes stay small). */
const text = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({
      unit: fc.constantFrom('a', '\n', '😀', '*', ' ', 'é'),
      minLength: Math.floor(max * 0.7),
      maxLength: max,
    }),
  );
const list = <T>(arb: fc.Arbitrary<T>, max: number) =>
  fc.oneof(
    fc.array(arb, { maxLength: 3 }),
    fc.array(arb, { minLength: Math.floor(max / 2), maxLength: max }),
  );

const cardArb: fc.Arbitrary<Card> = fc.record(
  {
    text: text(6000),
    sections: list(text(7000), 60),
    fields: list(fc.tuple(text(300), text(3000)), 25),
    buttons: list(
      fc.record(
        {
          actionId: fc.constantFrom('rc_confirm', 'rc_cancel', 'rc_choose', 'rc_approve', 'rc_deny'),
          value: text(2500),
          text: text(120),
          style: fc.constantFrom('primary', 'danger'),
        },
        { requiredKeys: ['actionId', 'value', 'text'] },
      ),
      40,
    ),
    context: text(4000),
  },
  { requiredKeys: ['text'] },
);

describe('renderCard', () => {
  it('always produces blocks Slack accepts, whatever the card', () => {
    fc.assert(
      fc.property(cardArb, (card) => {
        const { text: fallback, blocks } = renderCard(card);
        expect(blockProblems(blocks, LIMITS.messageBlocks)).toEqual([]);
        expect(fallback.length).toBeGreaterThan(0);
        expect(fallback.length).toBeLessThanOrEqual(LIMITS.fallbackText);
        // Buttons are never dropped: people must be able to act on what they see.
        const rendered = blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
        expect(rendered).toHaveLength(card.buttons?.length ?? 0);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps repeated action ids unique within the card and recoverable', () => {
    const { blocks } = renderCard({
      text: 'Which Dana?',
      buttons: [
        { actionId: 'rc_choose', value: 'r:1', text: 'Dana A' },
        { actionId: 'rc_choose', value: 'r:2', text: 'Dana B' },
        { actionId: 'rc_cancel', value: 'r', text: 'Cancel' },
      ],
    });
    const ids = blocks.flatMap((b) =>
      b.type === 'actions' ? b.elements.map((e) => (e as { action_id: string }).action_id) : [],
    );
    expect(ids).toEqual(['rc_choose#1', 'rc_choose#2', 'rc_cancel']);
    expect(ids.map(baseActionId)).toEqual(['rc_choose', 'rc_choose', 'rc_cancel']);
  });

  it('renders a text-only card as a section, not a header', () => {
    expect(renderCard({ text: rich`Carol has ${strong('viewer')} on billing` }).blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Carol has *viewer* on billing' } },
    ]);
  });
});

describe('text limits', () => {
  it('truncate ends with … within the limit and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.integer({ min: 1, max: 200 }),
        (s, max) => {
          const t = truncate(s, max);
          expect(t.length).toBeLessThanOrEqual(max);
          if (s.length > max) expect(t.endsWith('…')).toBe(true);
          else expect(t).toBe(s);
          expect(() => encodeURIComponent(t)).not.toThrow();
        },
      ),
    );
  });

  it('chunkText keeps every non-blank line and respects the maximum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 80 }), { maxLength: 40 }),
        fc.integer({ min: 20, max: 200 }),
        (lines, max) => {
          const chunks = chunkText(lines.join('\n'), max);
          for (const c of chunks) expect(c.length).toBeLessThanOrEqual(max);
          expect(chunks.join('').replace(/\s/g, '')).toBe(lines.join('').replace(/\s/g, ''));
        },
      ),
    );
  });
});

describe('views', () => {
  it('modals and App Home stay within Slack limits', () => {
    expect(viewProblems(requestModal('C0GENERAL'))).toEqual([]);
    expect(viewProblems(denyModal('req-1'))).toEqual([]);
    const many = {
      sections: Array.from({ length: 80 }, (_, i) => ({ title: `Section ${i}`, lines: ['x'.repeat(4000)] })),
    };
    expect(viewProblems(homeView(many))).toEqual([]);
    expect(viewProblems(homeView({ sections: [] }))).toEqual([]);
  });
});
