/**
 * Shared pieces of Rolecall's wording: how people, roles, lists and instants appear in any card.
 * Everything is neutral rich text (core/rich-text.ts): no chat markup is written here, and
 * user-supplied text is passed as text, which every surface shows as typed.
 */
import type { Identity } from '../../core/identity.ts';
import { code, type Inline, joinRich, mention, type RichText, rich, time } from '../../core/rich-text.ts';

/** An instant, shown by each surface in the reader's own zone (Slack `<!date>`), with a UTC fallback. */
export const when = (iso: string): Inline => time(iso);

/** Role names as code, comma-separated; "none" for an empty list. */
export const list = (xs: readonly string[]): RichText =>
  xs.length
    ? joinRich(
        xs.map((x) => [code(x)]),
        ', ',
      )
    : 'none';

/** Roles as code joined by "or"; "an admin" when none are configured. */
export const anyOf = (roles: readonly string[]): RichText =>
  roles.length
    ? joinRich(
        roles.map((r) => [code(r)]),
        ' or ',
      )
    : 'an admin';

/** Who someone is, with directory details only where they may be shown (not in shared channels). */
export function who(id: Identity, showDetails: boolean): Inline[] {
  const name = id.displayName ?? id.email ?? id.slackUserId ?? 'unknown';
  const them: RichText = id.slackUserId ? [mention(id.slackUserId)] : name;
  if (!showDetails) return rich`${them}`;
  const extra = [id.email, id.scimId && `directory id ${id.scimId}`].filter(Boolean).map(String);
  return extra.length ? rich`${them} (${extra.join(', ')})` : rich`${them}`;
}
