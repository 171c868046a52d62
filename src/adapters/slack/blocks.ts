import type { types } from '@slack/bolt';
import { isPlain, plainText, type RichText } from '../../core/rich-text.ts';
import type { Card, CardButton } from '../../ports/chat.ts';
import { literal, mrkdwn } from './mrkdwn.ts';

export type Block = types.KnownBlock;

/** Block Kit limits (docs.slack.dev/reference/block-kit). Slack rejects a whole message over any of them. */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  actionsElements: 25,
  contextElements: 10,
  contextText: 3000,
  fallbackText: 40_000,
} as const;

const ELLIPSIS = '…';

/** Cuts to at most `max` UTF-16 units, ending in "…", never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - ELLIPSIS.length;
  const prev = text.charCodeAt(cut - 1);
  if (prev >= 0xd800 && prev <= 0xdbff) cut -= 1;
  return text.slice(0, Math.max(cut, 0)) + ELLIPSIS;
}

/** Splits long text into pieces of at most `max`, preferring line breaks so mrkdwn lines stay whole. */
export function chunkText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = max;
    const prev = rest.charCodeAt(cut - 1);
    if (cut === max && prev >= 0xd800 && prev <= 0xdbff) cut -= 1;
    const piece = rest.slice(0, cut);
    if (piece.trim()) out.push(piece);
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.trim()) out.push(rest);
  return out;
}

function mrkdwnSection(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } };
}

function fieldText(label: string, value: RichText): string {
  const head = `*${literal(truncate(label, 200))}*\n`;
  return head + truncate(mrkdwn(value) || '–', LIMITS.fieldText - head.length);
}

/**
 * Block Kit wants action ids unique within a block; a card may repeat one (several "choose" buttons),
 * so repeats get a `#n` suffix that `baseActionId` strips when the click comes back.
 */
function uniqueActionIds(buttons: CardButton[]): string[] {
  const counts = new Map<string, number>();
  for (const b of buttons) counts.set(b.actionId, (counts.get(b.actionId) ?? 0) + 1);
  const seen = new Map<string, number>();
  return buttons.map((b) => {
    if ((counts.get(b.actionId) ?? 0) < 2) return truncate(b.actionId, LIMITS.actionId);
    const n = (seen.get(b.actionId) ?? 0) + 1;
    seen.set(b.actionId, n);
    const suffix = `#${n}`;
    return b.actionId.slice(0, LIMITS.actionId - suffix.length) + suffix;
  });
}

export function baseActionId(actionId: string): string {
  return actionId.replace(/#\d+$/, '');
}

function actionsBlocks(buttons: CardButton[]): Block[] {
  const ids = uniqueActionIds(buttons);
  const elements: types.Button[] = buttons.map((b, i) => ({
    type: 'button',
    action_id: ids[i] ?? b.actionId,
    text: { type: 'plain_text', text: truncate(b.text || ELLIPSIS, LIMITS.buttonText), emoji: true },
    value: truncate(b.value, LIMITS.buttonValue),
    ...(b.style ? { style: b.style } : {}),
  }));
  const blocks: Block[] = [];
  for (let i = 0; i < elements.length; i += LIMITS.actionsElements)
    blocks.push({ type: 'actions', elements: elements.slice(i, i + LIMITS.actionsElements) });
  return blocks;
}

/** Slack markup that only mrkdwn renders: `<@U…>`, `<#C…>`, `<!date…>`, `code`, *bold*, _italic_, &lt; escapes. */
const MARKUP = /<[@#!][^>]*>|`|\*[^*\s][^*\n]*\*|(^|\s)_[^_\s][^_\n]*_|&(?:lt|gt|amp);/;
export const hasMarkup = (text: string) => MARKUP.test(text);

/** The fallback `text` for notifications and clients without blocks (mrkdwn too). */
export function fallbackText(card: Card): string {
  const t = [card.text, ...(card.sections ?? [])].map((r) => mrkdwn(r).trim()).find(Boolean) || ELLIPSIS;
  return truncate(t, LIMITS.fallbackText);
}

/**
 * A header is plain_text: only a title of plain text nodes may go there, and only without `&`, `<`,
 * `>` or anything mrkdwn would have shown differently (Slack shows plain_text as typed).
 */
function headerText(title: RichText): string | undefined {
  if (!isPlain(title)) return undefined;
  const t = plainText(title).trim();
  if (!t || t.length > LIMITS.headerText || t.includes('\n') || /[&<>]/.test(t) || hasMarkup(t))
    return undefined;
  return t;
}

/**
 * Renders a Card into message blocks that always fit Block Kit's limits: long texts are split or cut
 * with "…", and when the card would exceed the block budget the body is cut while the title, buttons
 * and context stay (a card people cannot act on would be worse than a shortened one).
 */
export function renderCard(
  card: Card,
  maxBlocks: number = LIMITS.messageBlocks,
): { text: string; blocks: Block[] } {
  const title = mrkdwn(card.text).trim();
  const context = card.context === undefined ? '' : mrkdwn(card.context).trim();
  const hasBody = Boolean(card.sections?.length || card.fields?.length || card.buttons?.length || context);
  const head: Block[] = [];
  const body: Block[] = [];
  // A header is plain_text: mentions, date tokens, `code` and *bold* would show as typed there.
  const header = hasBody ? headerText(card.text) : undefined;
  if (header) head.push({ type: 'header', text: { type: 'plain_text', text: header, emoji: true } });
  else if (title) body.push(...chunkText(title, LIMITS.sectionText).map(mrkdwnSection));
  for (const s of card.sections ?? [])
    body.push(...chunkText(mrkdwn(s), LIMITS.sectionText).map(mrkdwnSection));
  const fields = (card.fields ?? []).map(([label, value]) => ({
    type: 'mrkdwn' as const,
    text: fieldText(label, value),
  }));
  for (let i = 0; i < fields.length; i += LIMITS.sectionFields)
    body.push({ type: 'section', fields: fields.slice(i, i + LIMITS.sectionFields) });

  const tail: Block[] = actionsBlocks(card.buttons ?? []).slice(0, Math.max(maxBlocks - 3, 1));
  if (context)
    tail.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(context, LIMITS.contextText) }],
    });

  const room = maxBlocks - head.length - tail.length;
  if (body.length > room) {
    body.length = Math.max(room - 1, 0);
    body.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${ELLIPSIS} (shortened to fit Slack)` }],
    });
  }
  const blocks = [...head, ...body, ...tail];
  if (blocks.length === 0) blocks.push(mrkdwnSection(ELLIPSIS));
  return { text: fallbackText(card), blocks };
}
