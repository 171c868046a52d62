import { mrkdwn } from '../../src/adapters/slack/mrkdwn.ts';
import type { Card } from '../../src/ports/chat.ts';

/** A card as Slack shows its texts: every rich text rendered to mrkdwn (what assertions read). */
export interface MrkdwnCard extends Card {
  text: string;
  sections?: string[];
  fields?: [label: string, value: string][];
  context?: string;
}

/**
 * Cards are neutral rich text (issue 15.2); tests of use cases assert on the words through the Slack
 * renderer, so `` `editor` ``, `<@U…>` and `<!date^…>` read as they do in Slack.
 */
export function asMrkdwn(card: Card): MrkdwnCard {
  const { sections: _s, fields: _f, context: _c, ...rest } = card;
  return {
    ...rest,
    text: mrkdwn(card.text),
    ...(card.sections ? { sections: card.sections.map(mrkdwn) } : {}),
    ...(card.fields ? { fields: card.fields.map(([l, v]): [string, string] => [l, mrkdwn(v)]) } : {}),
    ...(card.context !== undefined ? { context: mrkdwn(card.context) } : {}),
  };
}
