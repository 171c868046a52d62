/**
 * Slack payloads as Slack sends them (Events API envelope, slash command fields, interactivity
 * payloads), shared by the signed-HTTP helpers and the Socket Mode server.
 */
import { mintTriggerId } from './slack-contract.ts';

export type Json = Record<string, unknown>;

let counter = 0;
/** Unique ids for events, triggers and views, so every test payload is a distinct delivery. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36).toUpperCase()}${counter}`;
}

export interface EnvelopeOpts {
  eventId?: string;
  teamId?: string;
  botUserId?: string;
  appId?: string;
  /** Enterprise Grid: the org, and whether the app is installed org-wide (OAuth distribution). */
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}

/** The `event_callback` body around an event. */
export function eventEnvelope(event: Json, o: EnvelopeOpts = {}): Json {
  const teamId = o.teamId ?? 'T0ROLECALL';
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: o.appId ?? 'AROLECALL',
    event: { event_ts: event.ts ?? '1700000000.000001', ...event },
    type: 'event_callback',
    event_id: o.eventId ?? uniqueId('Ev'),
    event_time: 1_700_000_000,
    ...(o.enterpriseId ? { enterprise_id: o.enterpriseId } : {}),
    authorizations: [
      {
        enterprise_id: o.enterpriseId ?? null,
        team_id: o.isEnterpriseInstall ? null : teamId,
        user_id: o.botUserId ?? 'UROLECALLBOT',
        is_bot: true,
        ...(o.isEnterpriseInstall !== undefined ? { is_enterprise_install: o.isEnterpriseInstall } : {}),
      },
    ],
    is_ext_shared_channel: false,
  };
}

export interface MessageOpts {
  user: string;
  text: string;
  channel: string;
  ts?: string;
  threadTs?: string;
  /** The sender's own team when it differs (Slack Connect). */
  userTeam?: string;
  team?: string;
}

export function mentionEvent(o: MessageOpts): Json {
  return {
    type: 'app_mention',
    user: o.user,
    text: o.text,
    ts: o.ts ?? '1700000000.000100',
    channel: o.channel,
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    ...(o.team ? { team: o.team } : {}),
    ...(o.userTeam ? { user_team: o.userTeam, source_team: o.userTeam } : {}),
  };
}

export function dmEvent(o: MessageOpts & { subtype?: string; botId?: string }): Json {
  return {
    type: 'message',
    channel_type: 'im',
    user: o.user,
    text: o.text,
    ts: o.ts ?? '1700000000.000200',
    channel: o.channel,
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    ...(o.subtype ? { subtype: o.subtype } : {}),
    ...(o.botId ? { bot_id: o.botId } : {}),
    ...(o.team ? { team: o.team } : {}),
    ...(o.userTeam ? { user_team: o.userTeam } : {}),
  };
}

export function homeOpenedEvent(o: { user: string; tab?: 'home' | 'messages'; channel?: string }): Json {
  return { type: 'app_home_opened', user: o.user, channel: o.channel ?? 'DHOME', tab: o.tab ?? 'home' };
}

export interface CommandOpts {
  userId: string;
  channelId: string;
  text?: string;
  teamId?: string;
  triggerId?: string;
  command?: string;
  /** Where the app may answer (SlackEmulator.responseUrl); by default a closed port. */
  responseUrl?: string;
  /** Slack's `channel_name`; by default `directmessage` for a D… id (what Slack sends for an IM), else `general`. */
  channelName?: string;
}

/** What Slack puts in `channel_name` / `channel.name`: IMs are named `directmessage`. */
const channelNameOf = (id: string, name?: string) =>
  name ?? (id.startsWith('D') ? 'directmessage' : 'general');

/** Slash command fields (form-encoded over HTTP, a JSON object in Socket Mode). */
export function commandPayload(o: CommandOpts): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: o.teamId ?? 'T0ROLECALL',
    team_domain: 'rolecall-test',
    channel_id: o.channelId,
    channel_name: channelNameOf(o.channelId, o.channelName),
    user_id: o.userId,
    user_name: o.userId.toLowerCase(),
    command: o.command ?? '/rolecall',
    text: o.text ?? '',
    api_app_id: 'AROLECALL',
    is_enterprise_install: 'false',
    response_url: o.responseUrl ?? 'http://127.0.0.1:9/commands/response',
    trigger_id: o.triggerId ?? mintTriggerId(),
  };
}

export interface ActionOpts {
  actionId: string;
  value: string;
  userId: string;
  teamId?: string;
  /** The clicker's own team, when it differs from the workspace (Slack Connect). */
  userTeamId?: string;
  channelId?: string;
  messageTs?: string;
  triggerId?: string;
  /** Where the app may answer (SlackEmulator.responseUrl); by default a closed port. */
  responseUrl?: string;
  channelName?: string;
}

/** The clicking or submitting user, as interactivity payloads carry them. */
function payloadUser(userId: string, teamId: string): Json {
  return { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: teamId };
}

export function blockActionPayload(o: ActionOpts): Json {
  const teamId = o.teamId ?? 'T0ROLECALL';
  const channelId = o.channelId ?? 'C0GENERAL';
  const messageTs = o.messageTs ?? '1700000001.000001';
  return {
    type: 'block_actions',
    user: payloadUser(o.userId, o.userTeamId ?? teamId),
    api_app_id: 'AROLECALL',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
    trigger_id: o.triggerId ?? mintTriggerId(),
    team: { id: teamId, domain: 'rolecall-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: channelNameOf(channelId, o.channelName) },
    message: { type: 'message', ts: messageTs, text: 'card', user: 'UROLECALLBOT' },
    response_url: o.responseUrl ?? 'http://127.0.0.1:9/actions/response',
    actions: [
      {
        action_id: o.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Button', emoji: true },
        value: o.value,
        type: 'button',
        action_ts: '1700000002.000001',
      },
    ],
  };
}

export interface ViewSubmissionOpts {
  callbackId: string;
  privateMetadata?: string;
  /** block_id → action_id → typed value. */
  values: Record<string, Record<string, string>>;
  userId: string;
  teamId?: string;
  userTeamId?: string;
  viewId?: string;
}

export function viewSubmissionPayload(o: ViewSubmissionOpts): Json {
  const teamId = o.teamId ?? 'T0ROLECALL';
  const values = Object.fromEntries(
    Object.entries(o.values).map(([block, actions]) => [
      block,
      Object.fromEntries(
        Object.entries(actions).map(([a, value]) => [a, { type: 'plain_text_input', value }]),
      ),
    ]),
  );
  return {
    type: 'view_submission',
    team: { id: teamId, domain: 'rolecall-test' },
    user: payloadUser(o.userId, o.userTeamId ?? teamId),
    api_app_id: 'AROLECALL',
    token: 'legacy-verification-token',
    trigger_id: mintTriggerId(),
    view: {
      id: o.viewId ?? uniqueId('V'),
      team_id: teamId,
      type: 'modal',
      callback_id: o.callbackId,
      private_metadata: o.privateMetadata ?? '',
      state: { values },
      hash: '1700000000.abcdef',
      blocks: [],
    },
    response_urls: [],
    is_enterprise_install: false,
  };
}
