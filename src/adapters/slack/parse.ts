import { z } from 'zod';
import type { ButtonClick, Clicker, IncomingMessage } from '../../app/inbound.ts';
import { baseActionId } from './blocks.ts';
import { REASON_INPUT, REQUEST_INPUT, requestModalChannel } from './views.ts';

/**
 * Slack payloads → inbound shapes. Only the fields we read are checked; anything else is ignored.
 * A payload we cannot use is a value (`skip`) with a reason for the log, never an exception.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; malformed?: boolean };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const skip = (reason: string): Parsed<never> => ({ ok: false, reason });

function check<S extends z.ZodType>(schema: S, body: unknown, what: string): Parsed<z.infer<S>> {
  const r = schema.safeParse(body);
  if (r.success) return ok(r.data);
  const where = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, reason: `malformed ${what}: ${where}`, malformed: true };
}

const id = z.string().min(1);

const MessageEvent = z.object({
  type: z.string(),
  user: id.optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  channel: id,
  channel_type: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  edited: z.unknown().optional(),
  hidden: z.boolean().optional(),
  team: z.string().optional(),
  user_team: z.string().optional(),
  user_profile: z.object({ team: z.string().optional() }).optional(),
  files: z.array(z.unknown()).optional(),
});

/**
 * Subtypes that are still someone writing to Rolecall: a thread reply also sent to the channel
 * ("thread_broadcast") and a message with files ("file_share", whose text is read and whose files
 * are not — the use case says so). Every other subtype (edits, joins, bot posts…) is not a request.
 */
const PERSON_SUBTYPES = new Set(['thread_broadcast', 'file_share']);

const EventBody = z.object({ team_id: id, event_id: z.string().optional(), event: MessageEvent });

function leadingMention(botUserId: string | undefined): RegExp {
  const who = botUserId ? botUserId.replace(/[^A-Z0-9]/gi, '') : '[A-Z0-9]+';
  return new RegExp(`^\\s*<@${who}(?:\\|[^>]*)?>[\\s,:]*`, 'i');
}

/**
 * Whether a Slack conversation is a direct message, from what the payload says: `channel_type: im`
 * on events (docs.slack.dev/reference/events/message.im), `channel_name: directmessage` on slash
 * commands and interactions, and Slack's id convention (IM ids start with `D`) where a payload says
 * neither. Slack knowledge, so it lives here: use cases read `isDm`, never an id's shape.
 */
export function slackIsDm(c: { id?: string; channelType?: string; name?: string }): boolean {
  if (c.channelType) return c.channelType === 'im';
  if (c.name) return c.name === 'directmessage';
  return c.id?.startsWith('D') ?? false;
}

/**
 * The inbound text in the syntax the IntentExtractor contract states: Slack's format with every
 * person mention reduced to `<@ID>` (the legacy `<@ID|name>` label is dropped, so a label can never
 * carry words into the request), `&amp;`/`&lt;`/`&gt;` kept for what people typed.
 */
export function normaliseMentions(text: string): string {
  return text.replace(/<@([UW][A-Z0-9]{2,})\|[^<>]*>/g, '<@$1>');
}

/** Message text stays in Slack's format (`<@U…>` mentions, `&amp;` escapes) for the use cases to read. */
function toIncoming(
  body: z.infer<typeof EventBody>,
  source: 'mention' | 'dm',
  botUserId: string | undefined,
): Parsed<IncomingMessage> {
  const e = body.event;
  if (e.subtype && !PERSON_SUBTYPES.has(e.subtype)) return skip(`message subtype ${e.subtype}`);
  if (e.bot_id) return skip('message from a bot');
  if (e.edited) return skip('edited message');
  if (!e.user) return skip('no sender');
  if (botUserId && e.user === botUserId) return skip('own message');
  const userTeamId = e.user_team ?? e.user_profile?.team ?? e.team;
  return ok({
    ...(body.event_id ? { deliveryId: body.event_id } : {}),
    source,
    teamId: body.team_id,
    ...(userTeamId ? { userTeamId } : {}),
    channelId: e.channel,
    isDm: source === 'dm',
    userId: e.user,
    text: normaliseMentions((e.text ?? '').replace(leadingMention(botUserId), '').trim()),
    ...(e.ts ? { ts: e.ts } : {}),
    ...(e.thread_ts ? { threadTs: e.thread_ts } : {}),
    ...(e.files?.length ? { files: e.files.length } : {}),
  });
}

export function parseMention(body: unknown, botUserId: string | undefined): Parsed<IncomingMessage> {
  const b = check(EventBody, body, 'app_mention event');
  if (!b.ok) return b;
  // A mention inside the bot's DM also arrives as message.im; that copy is the one we handle.
  const e = b.value.event;
  if (slackIsDm({ id: e.channel, ...(e.channel_type ? { channelType: e.channel_type } : {}) }))
    return skip('mention in a DM');
  return toIncoming(b.value, 'mention', botUserId);
}

export function parseDm(body: unknown, botUserId: string | undefined): Parsed<IncomingMessage> {
  const b = check(EventBody, body, 'message event');
  if (!b.ok) return b;
  if (b.value.event.channel_type !== 'im')
    return skip(`message in a ${b.value.event.channel_type ?? 'non-DM'} channel`);
  return toIncoming(b.value, 'dm', botUserId);
}

const HomeOpenedBody = z.object({
  team_id: id,
  event: z.object({ user: id, tab: z.string().optional() }),
});

export function parseHomeOpened(body: unknown): Parsed<{ userId: string; teamId: string }> {
  const b = check(HomeOpenedBody, body, 'app_home_opened event');
  if (!b.ok) return b;
  if (b.value.event.tab && b.value.event.tab !== 'home') return skip(`tab ${b.value.event.tab}`);
  return ok({ userId: b.value.event.user, teamId: b.value.team_id });
}

const CommandBody = z.object({
  team_id: id,
  user_id: id,
  channel_id: id,
  channel_name: z.string().optional(),
  text: z.string().default(''),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
});

export interface ParsedCommand {
  /** Empty text means "open the request modal". */
  message: IncomingMessage;
  triggerId?: string;
}

export function parseCommand(body: unknown): Parsed<ParsedCommand> {
  const b = check(CommandBody, body, 'slash command');
  if (!b.ok) return b;
  const c = b.value;
  return ok({
    message: {
      // Slack does not retry commands, but Socket Mode may redeliver an envelope: trigger ids are unique per invocation.
      ...(c.trigger_id ? { deliveryId: `command:${c.team_id}:${c.trigger_id}` } : {}),
      source: 'command',
      teamId: c.team_id,
      channelId: c.channel_id,
      isDm: slackIsDm({ id: c.channel_id, ...(c.channel_name ? { name: c.channel_name } : {}) }),
      userId: c.user_id,
      text: normaliseMentions(c.text.trim()),
      ...(c.response_url ? { responseUrl: c.response_url } : {}),
    },
    ...(c.trigger_id ? { triggerId: c.trigger_id } : {}),
  });
}

const UserRef = z.object({ id, team_id: z.string().optional() });
const TeamRef = z.object({ id }).nullish();

/** The clicker's own team (their home org in Slack Connect), so foreign users are never taken for locals. */
function clicker(user: z.infer<typeof UserRef>, team: z.infer<typeof TeamRef>): Parsed<Clicker> {
  const teamId = user.team_id || team?.id;
  return teamId
    ? ok({ userId: user.id, teamId })
    : { ok: false, reason: 'no team for the user', malformed: true };
}

const ActionBody = z.object({
  user: UserRef,
  team: TeamRef,
  trigger_id: z.string().optional(),
  channel: z.object({ id, name: z.string().optional() }).nullish(),
  container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
  response_url: z.string().optional(),
  actions: z.array(z.object({ action_id: id, value: z.string().optional() })).min(1),
});

export function parseClick(body: unknown): Parsed<{ click: ButtonClick; triggerId?: string }> {
  const b = check(ActionBody, body, 'block action');
  if (!b.ok) return b;
  const a = b.value;
  const who = clicker(a.user, a.team);
  if (!who.ok) return who;
  const action = a.actions[0]!;
  const channelId = a.channel?.id ?? a.container?.channel_id;
  const messageTs = a.container?.message_ts ?? a.message?.ts;
  return ok({
    click: {
      actionId: baseActionId(action.action_id),
      value: action.value ?? '',
      clicker: who.value,
      ...(channelId
        ? {
            channelId,
            isDm: slackIsDm({ id: channelId, ...(a.channel?.name ? { name: a.channel.name } : {}) }),
          }
        : {}),
      ...(messageTs ? { messageTs } : {}),
      ...(a.response_url ? { responseUrl: a.response_url } : {}),
    },
    ...(a.trigger_id ? { triggerId: a.trigger_id } : {}),
  });
}

const ViewBody = z.object({
  user: UserRef,
  team: TeamRef,
  view: z.object({
    id,
    callback_id: z.string(),
    private_metadata: z.string().optional(),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).loose())),
    }),
  }),
});

function inputValue(v: z.infer<typeof ViewBody>['view'], block: string, action: string): string {
  return (v.state.values[block]?.[action]?.value ?? '').trim();
}

export function parseRequestSubmission(body: unknown): Parsed<IncomingMessage> {
  const b = check(ViewBody, body, 'request modal submission');
  if (!b.ok) return b;
  const { user, team, view } = b.value;
  const { channelId, isDm, responseUrl } = requestModalChannel(view.private_metadata);
  if (!channelId) return { ok: false, reason: 'request modal without a channel', malformed: true };
  const teamId = team?.id ?? user.team_id;
  if (!teamId) return { ok: false, reason: 'no team for the user', malformed: true };
  return ok({
    deliveryId: `view:${view.id}`,
    source: 'command',
    teamId,
    ...(user.team_id ? { userTeamId: user.team_id } : {}),
    channelId,
    isDm: isDm ?? slackIsDm({ id: channelId }),
    userId: user.id,
    text: normaliseMentions(inputValue(view, REQUEST_INPUT.block, REQUEST_INPUT.action)),
    ...(responseUrl ? { responseUrl } : {}),
  });
}

export function parseDenySubmission(
  body: unknown,
): Parsed<{ requestId: string; clicker: Clicker; reason: string }> {
  const b = check(ViewBody, body, 'deny modal submission');
  if (!b.ok) return b;
  const { user, team, view } = b.value;
  if (!view.private_metadata)
    return { ok: false, reason: 'deny modal without a request id', malformed: true };
  const who = clicker(user, team);
  if (!who.ok) return who;
  return ok({
    requestId: view.private_metadata,
    clicker: who.value,
    reason: inputValue(view, REASON_INPUT.block, REASON_INPUT.action),
  });
}
