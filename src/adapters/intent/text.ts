import { LEMMAS } from './lexicon.ts';

/**
 * Slack message text → tokens. Slack sends mentions as `<@U123>` / `<@U123|name>`, emails as
 * `<mailto:a@b.com|a@b.com>`, and encodes what people type as `&lt;`, `&gt;`, `&amp;`, so a
 * typed `<@U999>` arrives as `&lt;@U999&gt;` and is never a mention.
 */
export type Token =
  | { kind: 'word'; text: string; raw: string; start: number; end: number }
  | { kind: 'mention'; userId: string; raw: string; start: number; end: number }
  | { kind: 'email'; email: string; raw: string; start: number; end: number }
  /** @here, @channel, @everyone, user groups: never expanded into people. */
  | { kind: 'group'; raw: string; start: number; end: number }
  /** `@dana` typed without Slack turning it into a mention. */
  | { kind: 'at'; name: string; raw: string; start: number; end: number }
  | { kind: 'punct'; text: string; raw: string; start: number; end: number }
  /** Links, channels and anything else that is no person and no word. */
  | { kind: 'other'; raw: string; start: number; end: number };

export function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

// Starts only where a run of local-part characters starts: tried inside a long run of `-%+._` at
// every position, it used to re-read the rest of the run each time (quadratic).
const EMAIL = /(?<![a-z0-9._%+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/iy;
const SLACK_TOKEN = /<([^<>\n]{1,300})>/y;
const WORD = /[a-z0-9\u00c0-\u024f][a-z0-9\u00c0-\u024f_'’.-]*/iy;
const AT_NAME = /@([a-z][a-z0-9._-]{0,79})/iy;
const SPACE = /[ \t\r\u00a0]+/y;

/**
 * Tokens of raw Slack text (entities still encoded, so only Slack's own `<…>` become tokens).
 * Offsets refer to the text given.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const at = (re: RegExp) => {
    re.lastIndex = i;
    return re.exec(text);
  };
  while (i < text.length) {
    const space = at(SPACE);
    if (space) {
      i += space[0].length;
      continue;
    }
    const token = nextToken(text, i, at);
    i = token.end;
    out.push(...token.tokens);
  }
  return out;
}

function nextToken(
  text: string,
  start: number,
  at: (re: RegExp) => RegExpExecArray | null,
): { tokens: Token[]; end: number } {
  const slack = at(SLACK_TOKEN);
  if (slack) {
    const end = start + slack[0].length;
    return { tokens: [slackToken(slack[1] ?? '', slack[0], start, end)], end };
  }
  const email = at(EMAIL);
  if (email) {
    const end = start + email[0].length;
    return { tokens: [{ kind: 'email', email: email[0].toLowerCase(), raw: email[0], start, end }], end };
  }
  const atName = at(AT_NAME);
  if (atName) {
    const name = (atName[1] ?? '').replace(/(?<!\.)\.+$/, '');
    const raw = `@${name}`;
    const end = start + raw.length;
    const group = ['here', 'channel', 'everyone'].includes(name.toLowerCase());
    return {
      tokens: [group ? { kind: 'group', raw, start, end } : { kind: 'at', name, raw, start, end }],
      end,
    };
  }
  // "<@U1>'s role": the possessive after a mention.
  if (/^['’]s(?![a-z])/i.test(text.slice(start, start + 3)))
    return {
      tokens: [{ kind: 'word', text: "'s", raw: text.slice(start, start + 2), start, end: start + 2 }],
      end: start + 2,
    };
  const word = at(WORD);
  if (word) {
    const tokens: Token[] = [];
    pushWord(tokens, word[0], start);
    return { tokens, end: start + word[0].length };
  }
  const amp = /^&(lt|gt|amp|quot|#39);/.exec(text.slice(start, start + 6));
  const raw = amp ? amp[0] : (text[start] ?? '');
  return {
    tokens: [{ kind: 'punct', text: decodeEntities(raw), raw, start, end: start + raw.length }],
    end: start + raw.length,
  };
}

function slackToken(inner: string, raw: string, start: number, end: number): Token {
  const mention = /^@([UW][A-Z0-9]{2,})(?:\|[^>]*)?$/.exec(inner);
  if (mention) return { kind: 'mention', userId: mention[1] ?? '', raw, start, end };
  const mail = /^mailto:([^|>]+)(?:\|.*)?$/i.exec(inner);
  if (mail) return { kind: 'email', email: (mail[1] ?? '').toLowerCase(), raw, start, end };
  if (/^!(here|channel|everyone|subteam\^)/.test(inner) || /^@S[A-Z0-9]+/.test(inner))
    return { kind: 'group', raw, start, end };
  return { kind: 'other', raw, start, end };
}

/** Words lose trailing dots; "bob's" becomes "bob" + "'s" so names and possessives separate. */
function pushWord(out: Token[], raw: string, start: number): void {
  let word = raw.replace(/’/g, "'");
  let end = start + raw.length;
  // Trailing dots, apostrophes and hyphens, counted by hand: `[.'-]+$` retried at every position
  // of a long run is quadratic.
  let keep = word.length;
  while (keep > 0 && ".'-".includes(word[keep - 1] ?? '')) keep--;
  if (keep < word.length) {
    end -= word.length - keep;
    word = word.slice(0, keep);
  }
  if (word.length > 2 && /^'s$/i.test(word.slice(-2))) {
    const base = word.slice(0, -2);
    out.push({
      kind: 'word',
      text: base.toLowerCase(),
      raw: raw.slice(0, base.length),
      start,
      end: start + base.length,
    });
    out.push({
      kind: 'word',
      text: "'s",
      raw: raw.slice(base.length, base.length + 2),
      start: start + base.length,
      end,
    });
  } else {
    const lower = word.toLowerCase();
    out.push({ kind: 'word', text: LEMMAS[lower] ?? lower, raw: raw.slice(0, word.length), start, end });
  }
  for (let k = end; k < start + raw.length; k++) {
    const ch = raw[k - start] ?? '';
    out.push({ kind: 'punct', text: ch === '’' ? "'" : ch, raw: ch, start: k, end: k + 1 });
  }
}

export const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  t?.kind === 'word' && (words.length === 0 || words.includes(t.text));

/** Sentence-like pieces: split at . ! ? ; and line breaks. Keeps whether a piece asked a question. */
export function sentences(tokens: Token[]): { tokens: Token[]; question: boolean }[] {
  const out: { tokens: Token[]; question: boolean }[] = [];
  let cur: Token[] = [];
  let question = false;
  const flush = () => {
    if (cur.length) out.push({ tokens: cur, question });
    cur = [];
    question = false;
  };
  for (const t of tokens) {
    if (t.kind === 'punct' && /^[.!?;\n]$/.test(t.text)) {
      if (t.text === '?') question = true;
      flush();
    } else cur.push(t);
  }
  flush();
  return out;
}
