import { type Inline, inlines, type RichText, utcFallback } from '../../core/rich-text.ts';

/**
 * Neutral rich text → Slack mrkdwn (docs.slack.dev/messaging/formatting-message-text).
 *
 * "Escaping text": `&`, `<` and `>` are the only characters Slack asks apps to encode, as `&amp;`,
 * `&lt;` and `&gt;`; so text a person typed (`<!channel>`, `<@U…>`) shows as typed and never pings
 * or mentions. Slack documents no escape for the formatting markers `*`, `_`, `~` and `` ` ``: a
 * marker that could open formatting in text (at the start or after a space or punctuation, followed
 * by a non-space) gets a zero-width space after it, so a reason typed as `*urgent*` is not made bold.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const OPENER = /(^|[\s([{"'“‘.,;:!?/-])([*_~`])(?=\S)/g;
const ZWSP = '\u200b';

/** User or template text as literal mrkdwn: escaped, with formatting markers that could open defused. */
export function literal(text: string): string {
  return escapeMrkdwn(text).replace(OPENER, `$1$2${ZWSP}`);
}

/** Inside `code` or *bold* the closing marker would end the span early: it becomes a look-alike. */
const inSpan = (text: string, marker: string, lookalike: string) =>
  escapeMrkdwn(text.replaceAll(marker, lookalike).replace(/\n/g, ' '));

/** Slack user and bot-user ids (U…, W…): anything else is not a mention here and is shown as text. */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** `<!date^unix^format|fallback>`: each reader's own zone, the UTC minute where a client cannot. */
export function dateToken(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return literal(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${utcFallback(iso)}>`;
}

function node(n: Inline): string {
  switch (n.kind) {
    case 'text':
      return literal(n.text);
    case 'strong':
      return n.text.trim() ? `*${inSpan(n.text.trim(), '*', '∗')}*` : '';
    case 'code':
      return n.text ? `\`${inSpan(n.text, '`', 'ˋ')}\`` : '';
    case 'mention':
      return USER_ID.test(n.userId) ? `<@${n.userId}>` : literal(`@${n.userId}`);
    case 'time':
      return dateToken(n.iso);
    case 'link':
      return /^(https?|mailto):/i.test(n.url)
        ? `<${escapeMrkdwn(n.url).replace(/\|/g, '%7C')}|${escapeMrkdwn(n.text || n.url)}>`
        : literal(n.text || n.url);
  }
}

export function mrkdwn(r: RichText): string {
  return inlines(r).map(node).join('');
}
