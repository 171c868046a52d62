/**
 * Slack's documented delivery rules, for the emulator: who may post where, which threads exist,
 * how long triggers and response URLs live, what plain_text shows. Each rule cites its source.
 * Where Slack answers `ok: true` but nobody sees the message (an ephemeral in a thread that does
 * not exist, mrkdwn in plain_text), the call is *flagged*, so tests can assert nothing was lost.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface EmulatedChannel {
  id: string;
  /** Human members; undefined = every known user (a big public channel). */
  members?: string[];
  /** The bot was invited (default true). */
  botMember?: boolean;
  isPrivate?: boolean;
  isArchived?: boolean;
}

/**
 * chat.postMessage / chat.postEphemeral refusals, as Slack's error tables word them (chat.* methods,
 * e.g. api.slack.com/methods/chat.meMessage and the chat.postEphemeral table mirrored in Slack's
 * own api-ref JSON): "channel_not_found: Value passed for channel was invalid.", "not_in_channel:
 * Cannot post user messages to a channel they are not in.", "is_archived: Channel has been archived."
 * A private channel or a DM the bot is not part of is invisible to it, so it is `channel_not_found`,
 * not `not_in_channel` (which is for public channels it could see but did not join).
 */
export function postRefusal(ch: EmulatedChannel | undefined): string | undefined {
  if (!ch) return 'channel_not_found';
  if (ch.botMember === false) return ch.isPrivate ? 'channel_not_found' : 'not_in_channel';
  if (ch.isArchived) return 'is_archived';
  return undefined;
}

/**
 * chat.postEphemeral (api.slack.com/methods/chat.postEphemeral, argument `user`): "The user should
 * be in the channel specified by the channel argument" → `user_not_in_channel`.
 */
export function userInChannel(ch: EmulatedChannel, user: string): boolean {
  return ch.members === undefined || ch.members.includes(user);
}

/**
 * chat.postEphemeral, argument `thread_ts`: "Ephemeral messages in threads are only shown if there
 * is already an active thread." Slack still answers ok: true, so the emulator flags the call.
 */
export const INVISIBLE_EPHEMERAL = 'invisible: ephemeral in a thread that does not exist';

/**
 * Triggers (api.slack.com/docs/triggers, "Sequencing interactions with triggers"): "Triggers expire
 * in three seconds." … "Triggers may only be used once." views.open names these errors
 * `expired_trigger_id` and `exchanged_trigger_id` (views.open/views.push errors table:
 * "expired_trigger_id: The trigger_id is expired.", "exchanged_trigger_id: The trigger_id was
 * already exchanged in a previous call.", "invalid_trigger_id: The trigger_id is invalid.").
 * Test payloads mint ids as `<issued ms>.<n>.trig` so the emulator can tell their age.
 */
export const TRIGGER_TTL_MS = 3_000;
let triggers = 0;
export function mintTriggerId(nowMs = Date.now()): string {
  triggers += 1;
  return `${nowMs}.${triggers}.trig`;
}
export function triggerIssuedAt(id: string): number | undefined {
  const m = /^(\d{13})\.(\d+)\.trig$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

/**
 * response_url: Slack's "Handling user interaction in your Slack apps" (docs.slack.dev/interactivity/
 * handling-user-interaction, #message_responses) limits each URL to 5 responses within 30 minutes
 * of the invocation — summarised by the slash-command guides built on it as "You may respond up to
 * 5 times within 30 minutes after the user typed in the slash command". The body Slack answers a
 * spent or stale URL with is not documented; the emulator answers HTTP 404 with `used_url` /
 * `expired_url`, which Rolecall treats as any refusal.
 */
export const RESPONSE_URL_TTL_MS = 30 * 60_000;
export const RESPONSE_URL_USES = 5;

/**
 * Text objects (docs.slack.dev/reference/block-kit/composition-objects/text-object): `text` "accepts
 * any of the standard text formatting markup when type is mrkdwn" — so in `plain_text` mentions,
 * `<!date>` tokens, backticks and *bold* are shown as typed. Flagged, because Slack accepts them.
 */
const MARKUP = /<[@#!][^>]*>|`[^`]+`|\*[^*\s][^*\n]*\*/;
export function rawPlainText(blocks: unknown, where = 'blocks'): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        walk(x, `${path}[${i}]`);
      });
      return;
    }
    if (!isObj(v)) return;
    if (v.type === 'plain_text' && typeof v.text === 'string' && MARKUP.test(v.text))
      out.push(`plain_text rendered raw at ${path}: ${v.text.slice(0, 80)}`);
    for (const [k, x] of Object.entries(v)) if (typeof x === 'object') walk(x, `${path}.${k}`);
  };
  walk(blocks, where);
  return out;
}

/**
 * Revoked tokens (docs.slack.dev/reference/events/tokens_revoked; error tables of every method):
 * "token_revoked: Authentication token is for a deleted user or workspace or the app has been
 * removed.", "account_inactive: Authentication token is for a deleted user or workspace when using
 * a bot token." Once revoked, every call with the token answers the error.
 */
export type Revocation = 'token_revoked' | 'account_inactive';
