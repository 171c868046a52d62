/**
 * What Rolecall says, in a form no chat surface owns (issue 15.2). Cards are built from these few
 * inline kinds; each surface renders them its own way (Slack: mrkdwn with its escapes and
 * `<!date>` tokens; the playground: DOM nodes; a Teams adapter: its own markup). A plain `string`
 * is literal text: a renderer shows it as typed, so user-supplied text needs no escaping here.
 */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong'; text: string }
  | { kind: 'code'; text: string }
  /** A person by their chat user id on the surface the card is shown on. */
  | { kind: 'mention'; userId: string }
  /** An instant (ISO 8601); surfaces show it in each reader's own zone where they can. */
  | { kind: 'time'; iso: string }
  | { kind: 'link'; url: string; text: string };

export type RichText = string | readonly Inline[];

export const text = (t: string): Inline => ({ kind: 'text', text: t });
export const strong = (t: string): Inline => ({ kind: 'strong', text: t });
export const code = (t: string): Inline => ({ kind: 'code', text: t });
export const mention = (userId: string): Inline => ({ kind: 'mention', userId });
export const time = (iso: string): Inline => ({ kind: 'time', iso });
export const link = (url: string, t: string): Inline => ({ kind: 'link', url, text: t });

/** The nodes of a rich text (a string is one text node). */
export function inlines(r: RichText): readonly Inline[] {
  return typeof r === 'string' ? (r ? [text(r)] : []) : r;
}

type Part = string | number | Inline | RichText;

/** Appends, merging neighbouring text nodes (renderers and tests see one run of text, not pieces). */
function push(out: Inline[], part: Part): void {
  const nodes: readonly Inline[] =
    typeof part === 'number'
      ? [text(String(part))]
      : typeof part === 'string' || Array.isArray(part)
        ? inlines(part as RichText)
        : [part as Inline];
  for (const n of nodes) {
    const last = out.at(-1);
    if (n.kind === 'text' && last?.kind === 'text') out[out.length - 1] = text(last.text + n.text);
    else if (n.kind !== 'text' || n.text) out.push(n);
  }
}

/**
 * Tagged template: the literal parts and interpolated strings are text, interpolated nodes stay
 * nodes. rich`Grant ${code(role)} to ${name}?` — `name` is shown as typed on every surface.
 */
export function rich(strings: TemplateStringsArray, ...parts: Part[]): Inline[] {
  const out: Inline[] = [];
  strings.forEach((s, i) => {
    push(out, s);
    if (i < parts.length) push(out, parts[i] as Part);
  });
  return out;
}

/** Rich texts joined by a separator. */
export function joinRich(parts: readonly RichText[], sep: RichText): Inline[] {
  const out: Inline[] = [];
  parts.forEach((p, i) => {
    if (i) push(out, sep);
    push(out, p);
  });
  return out;
}

/** An instant to the minute in UTC, for surfaces (and notifications) that cannot localise. */
export function utcFallback(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Only text nodes: a surface may show it where no markup renders (a header, a button). */
export const isPlain = (r: RichText): boolean => inlines(r).every((n) => n.kind === 'text');

/** The words without markup (logs, previews): mentions as `@id`, times in UTC. */
export function plainText(r: RichText): string {
  return inlines(r)
    .map((n) => {
      switch (n.kind) {
        case 'mention':
          return `@${n.userId}`;
        case 'time':
          return utcFallback(n.iso);
        case 'link':
          return n.text || n.url;
        default:
          return n.text;
      }
    })
    .join('');
}
