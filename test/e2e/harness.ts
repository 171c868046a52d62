import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOfflineExtractor } from '../../src/adapters/intent/index.ts';
import { createLogger, type Logger } from '../../src/adapters/log/logger.ts';
import { type Rolecall, startRolecall } from '../../src/main.ts';
import type { Clock, IdGenerator } from '../../src/ports/clock.ts';
import type { IntentExtractor } from '../../src/ports/intent-extractor.ts';
import { type BetterAuthScim, startBetterAuthScim } from '../support/better-auth-scim.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';
import {
  type ApiCall,
  type EmulatedUser,
  type SlackEmulator,
  startSlackEmulator,
} from '../support/slack-emulator.ts';
import {
  blockActionPayload,
  commandPayload,
  dmEvent,
  type Json,
  mentionEvent,
  viewSubmissionPayload,
} from '../support/slack-payloads.ts';
import {
  sendAction,
  sendCommand,
  sendEvent,
  sendInteraction,
  sendViewSubmission,
} from '../support/slack-signing.ts';
import { type SocketModeServer, startSocketModeServer } from '../support/socket-mode-server.ts';

/**
 * The whole bot as `npm start` builds it (real Bolt HTTP receiver, SCIM client, SQLite store,
 * offline parser or an injected extractor), against a Slack Web API emulator and a SCIM server
 * (Better Auth by default, or our own fault-injecting one), driven by signed Slack requests.
 */
export const TEAM = 'T0ACME';
export const OTHER_TEAM = 'T0OTHER';
export const VENDOR_TEAM = 'T0VENDOR';
export const SHARED = 'C0SHARED';
export const APPROVALS = 'C0APPROVALS';
export const GENERAL = 'C0GENERAL';
/** A channel the bot was never invited to (where only /rolecall can reach it). */
export const NOBOT = 'C0NOBOT';
export const SECRET = 'e2e-signing-secret';

export interface Person {
  slack: string;
  userName: string;
  name: string;
  groups: string[];
  team?: string;
  flags?: Partial<Pick<EmulatedUser, 'isStranger' | 'isRestricted' | 'isBot' | 'isDeleted'>>;
  inDirectory?: boolean;
}

export const PEOPLE: Record<string, Person> = {
  alice: { slack: 'U0ALICE', userName: 'alice@acme.test', name: 'Alice Admin', groups: ['Admins'] },
  olga: { slack: 'U0OLGA', userName: 'olga@acme.test', name: 'Olga Owner', groups: ['Owners'] },
  oscar: { slack: 'U0OSCAR', userName: 'oscar@acme.test', name: 'Oscar Owner', groups: ['Owners'] },
  bob: { slack: 'U0BOB', userName: 'bob@acme.test', name: 'Bob Builder', groups: ['Viewers'] },
  erin: { slack: 'U0ERIN', userName: 'erin@acme.test', name: 'Erin Editor', groups: ['Editors'] },
  dana1: { slack: 'U0DANA1', userName: 'dana.lee@acme.test', name: 'Dana Lee', groups: [] },
  dana2: { slack: 'U0DANA2', userName: 'dana.kim@acme.test', name: 'Dana Kim', groups: ['Viewers'] },
  mallory: {
    slack: 'U0MALLORY',
    userName: 'mallory@other.test',
    name: 'Mallory',
    groups: [],
    team: OTHER_TEAM,
    inDirectory: false,
  },
  stranger: {
    slack: 'U0STRANGE',
    userName: 'eve@acme.test',
    name: 'Eve',
    groups: ['Owners'],
    flags: { isStranger: true },
  },
  guest: {
    slack: 'U0GUEST',
    userName: 'gus@acme.test',
    name: 'Gus Guest',
    groups: [],
    flags: { isRestricted: true },
  },
  rep: {
    slack: 'U0REP',
    userName: 'rep@vendor.test',
    name: 'Rita Rep',
    groups: [],
    team: VENDOR_TEAM,
    inDirectory: false,
  },
};

export const POLICY = `
tenants:
  - id: acme
    slack: { teams: [${TEAM}], sharedChannels: [${SHARED}], approvalChannel: ${APPROVALS} }
    scim: { baseUrl: "SCIM_URL", tokenEnv: E2E_SCIM_TOKEN, roleModel: groups, userLookup: email, retries: 1 }
    roles:
      viewer: { group: Viewers }
      editor: { group: Editors }
      admin:  { group: Admins }
      owner:  { group: Owners, protected: true }
    adminRoles: [admin, owner]
    rules:
      - { who: [admin, owner], can: [grant, revoke], roles: [viewer, editor], approval: none }
      - { who: [admin, owner], can: [grant, revoke], roles: [admin], approval: { by: [owner], count: 1 }, maxDuration: 8h }
      - { who: [owner], can: [grant], roles: [owner], approval: { by: [owner], count: 2 } }
      - { who: [anyone], can: [grant], roles: [editor], target: self, approval: { by: [admin, owner], count: 1 }, maxDuration: 24h }
operators: { teams: [${VENDOR_TEAM}], users: [U0REP] }
`;

export class ManualClock implements Clock {
  t: number;
  constructor(iso = '2026-11-23T09:00:00.000Z') {
    this.t = Date.parse(iso);
  }
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

export type Mode = 'http' | 'socket';

export interface E2E {
  mode: Mode;
  app: Rolecall;
  slack: SlackEmulator;
  clock: ManualClock;
  eventsUrl: string;
  /** Group member SCIM ids by group displayName, read from the SCIM server itself. */
  members(group: string): Promise<string[]>;
  scimId(person: keyof typeof PEOPLE): string;
  scimWrites(): number;
  /** Stops the bot and starts it again on the same data (the clock stays where the test put it). */
  restart(): Promise<void>;
  say(
    who: keyof typeof PEOPLE,
    text: string,
    where?: { channel?: string; dm?: boolean; threadTs?: string; subtype?: string; files?: number },
  ): Promise<{ status: number; eventId: string; ts: string }>;
  /** Any event (app_uninstalled, tokens_revoked…) delivered the way the mode does. */
  event(event: Json): Promise<number>;
  /** Any interactivity payload delivered the way the mode does (HTTP status; 200 once acked in Socket Mode). */
  interaction(payload: Json): Promise<number>;
  /** GET /readyz: status and body. */
  readyz(): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A fresh response_url from the emulator, remembered as handed to this person. */
  responseUrlFor(who: keyof typeof PEOPLE): string;
  /** `/rolecall text` typed in a channel, with a fresh response_url from the emulator. */
  command(who: keyof typeof PEOPLE, text: string, channel?: string): Promise<number>;
  click(who: keyof typeof PEOPLE, actionId: string, value: string, channel?: string): Promise<number>;
  submitDeny(who: keyof typeof PEOPLE, requestId: string, reason: string): Promise<number>;
  /**
   * The next answer to a person whose text matches, wherever Slack would show it to them: an
   * ephemeral Slack would display (not in a missing thread), a post through a response_url they
   * were given, or a message in their DM with the bot.
   */
  replyTo(
    who: keyof typeof PEOPLE,
    match: RegExp,
    from?: number,
  ): Promise<{ text: string; blocks: unknown[] }>;
  waitPost(channel: string, match: RegExp): Promise<ApiCall>;
  /** Resolves when the bot has finished everything it accepted (clicks' card replacements included). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startE2E(
  o: {
    scim?: 'better-auth' | 'own';
    extractor?: IntentExtractor;
    ownScim?: (s: ScimServer) => void;
    /** Capture the bot's log lines (default: silent). */
    logger?: Logger;
    /** A fake Messages API base URL: the bot builds its LLM extractor from the env, as in production. */
    anthropicUrl?: string;
    /** Signed HTTP requests (default) or Socket Mode envelopes. */
    mode?: Mode;
  } = {},
): Promise<E2E> {
  const mode = o.mode ?? 'http';
  const people = Object.values(PEOPLE);
  const sock: SocketModeServer | undefined = mode === 'socket' ? await startSocketModeServer() : undefined;
  const slack = await startSlackEmulator({
    ...(sock ? { socketUrl: sock.url } : {}),
    channels: [{ id: GENERAL }, { id: APPROVALS }, { id: SHARED }, { id: NOBOT, botMember: false }],
    teams: [{ id: TEAM }, { id: OTHER_TEAM }, { id: VENDOR_TEAM }],
    users: people.map((p) => ({
      id: p.slack,
      teamId: p.team ?? TEAM,
      name: p.userName.split('@')[0],
      realName: p.name,
      email: p.userName,
      tz: 'Europe/Berlin',
      ...p.flags,
    })),
  });
  const inDir = people.filter((p) => p.inDirectory !== false);
  const groups = ['Viewers', 'Editors', 'Admins', 'Owners'].map((g) => ({
    displayName: g,
    members: inDir.filter((p) => p.groups.includes(g)).map((p) => p.userName),
  }));
  const users = inDir.map((p) => ({
    userName: p.userName,
    displayName: p.name,
    name: { givenName: p.name.split(' ')[0], familyName: p.name.split(' ')[1] },
    emails: [p.userName],
  }));
  let scimUrl: string;
  let token: string;
  let closeScim: () => Promise<void>;
  let members: (g: string) => Promise<string[]>;
  let idOf: (userName: string) => string;
  if (o.scim === 'own') {
    token = 'own-scim-token';
    const s = await startScimServer({ users, groups, token });
    o.ownScim?.(s);
    scimUrl = s.baseUrl;
    closeScim = s.close;
    const byName = (n: string) => [...s.state.users.values()].find((u) => u.userName === n)!.id;
    idOf = byName;
    members = async (g) => {
      const grp = [...s.state.groups.values()].find((x) => x.displayName === g)!;
      return ((grp.members as { value: string }[] | undefined) ?? []).map((m) => m.value);
    };
  } else {
    const ba: BetterAuthScim = await startBetterAuthScim({ users, groups });
    scimUrl = ba.baseUrl;
    token = ba.token;
    closeScim = ba.close;
    idOf = (n) => ba.userIds.get(n)!;
    members = (g) => ba.members(g);
  }
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-e2e-'));
  writeFileSync(join(dir, 'rolecall.yml'), POLICY.replace('SCIM_URL', scimUrl));
  const env = {
    ROLECALL_CONFIG: join(dir, 'rolecall.yml'),
    ROLECALL_DATA_DIR: join(dir, 'data'),
    SLACK_BOT_TOKEN: slack.botToken,
    ...(mode === 'socket' ? { SLACK_APP_TOKEN: slack.appToken } : { SLACK_SIGNING_SECRET: SECRET }),
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    E2E_SCIM_TOKEN: token,
    ...(o.anthropicUrl
      ? { ANTHROPIC_API_KEY: 'sk-ant-e2e', ANTHROPIC_BASE_URL: o.anthropicUrl, ROLECALL_MODEL: 'claude-e2e' }
      : {}),
  };
  let n = 0;
  const ids: IdGenerator = { next: () => `RC-E2E${String(++n).padStart(4, '0')}` };
  const clock = new ManualClock();
  const boot = () =>
    startRolecall({
      env,
      clock,
      ids,
      logger: o.logger ?? createLogger({ level: 'silent' }),
      ...(o.anthropicUrl ? {} : { extractor: o.extractor ?? createOfflineExtractor() }),
      schedulerIntervalMs: 3_600_000,
      slackRetry: { retries: 2, factor: 1, minTimeout: 1, maxTimeout: 5 },
      scimSleep: async () => {},
    });
  let app = await boot();
  let eventsUrl = `http://127.0.0.1:${app.slack.port}/slack/events`;
  const person = (k: keyof typeof PEOPLE) => PEOPLE[k]!;
  /** response_url path → the person it was handed to. */
  const urlOwner = new Map<string, string>();
  const urlFor = (slackId: string) => {
    const url = slackUrl();
    urlOwner.set(new URL(url).pathname, slackId);
    return url;
  };
  const slackUrl = () => slack.responseUrl;
  /** Delivers an interactivity payload the way the mode does; answers the HTTP status (200 in Socket Mode once acked). */
  const interact = async (payload: Json): Promise<number> => {
    if (!sock) return (await sendInteraction(eventsUrl, SECRET, payload)).status;
    await sock.waitForAck(sock.pushInteractive(payload));
    return 200;
  };
  const visibleTo = (c: ApiCall, slackId: string) => {
    if (c.status !== 200 || c.response.ok === false || c.flags?.length) return false;
    if (c.method === 'chat.postEphemeral') return c.args.user === slackId;
    // A card replaced in place is not a new answer.
    if (c.method === 'response_url')
      return urlOwner.get(String(c.args.url)) === slackId && c.args.replace_original !== true;
    if (c.method === 'chat.postMessage') return c.response.channel === slack.dmChannel(slackId);
    return false;
  };
  const e2e: E2E = {
    mode,
    app,
    slack,
    clock,
    eventsUrl,
    members,
    scimId: (k) => idOf(person(k).userName),
    scimWrites: () => app.directories.forTenant('acme').stats.writes,
    async restart() {
      await app.stop();
      app = await boot();
      eventsUrl = `http://127.0.0.1:${app.slack.port}/slack/events`;
      e2e.app = app;
      e2e.eventsUrl = eventsUrl;
    },
    async say(who, text, where = {}) {
      const p = person(who);
      const ts = `17000000${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}.000100`;
      const channel = where.dm ? slack.dmChannel(p.slack) : (where.channel ?? GENERAL);
      const extra: Json = {
        ...(where.subtype ? { subtype: where.subtype } : {}),
        ...(where.files ? { files: Array.from({ length: where.files }, (_, i) => ({ id: `F${i}` })) } : {}),
      };
      const event = where.dm
        ? {
            ...dmEvent({
              user: p.slack,
              text,
              channel,
              ts,
              ...(where.threadTs ? { threadTs: where.threadTs } : {}),
            }),
            ...extra,
          }
        : {
            ...mentionEvent({
              user: p.slack,
              text: `<@${slack.botUserId}> ${text}`,
              channel,
              ts,
              userTeam: p.team ?? TEAM,
              ...(where.threadTs ? { threadTs: where.threadTs } : {}),
            }),
            ...extra,
          };
      // What Slack shows in the channel: a message in a thread makes that thread exist.
      slack.userMessage(channel, ts, where.threadTs);
      if (sock) {
        const { envelopeId, eventId } = sock.pushEvent(event, { teamId: TEAM, botUserId: slack.botUserId });
        await sock.waitForAck(envelopeId);
        return { status: 200, eventId, ts };
      }
      const res = await sendEvent(eventsUrl, SECRET, event, { teamId: TEAM, botUserId: slack.botUserId });
      return { status: res.status, eventId: res.eventId, ts };
    },
    async event(event) {
      if (sock) {
        await sock.waitForAck(sock.pushEvent(event, { teamId: TEAM, botUserId: slack.botUserId }).envelopeId);
        return 200;
      }
      return (await sendEvent(eventsUrl, SECRET, event, { teamId: TEAM, botUserId: slack.botUserId })).status;
    },
    interaction: (payload) => interact(payload),
    async readyz() {
      const res = await fetch(`http://127.0.0.1:${app.slack.port}/readyz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    responseUrlFor: (who) => urlFor(person(who).slack),
    async command(who, text, channel = NOBOT) {
      const p = person(who);
      const cmd = { userId: p.slack, channelId: channel, text, teamId: TEAM, responseUrl: urlFor(p.slack) };
      if (sock) {
        await sock.waitForAck(sock.push('slash_commands', commandPayload(cmd)));
        return 200;
      }
      return (await sendCommand(eventsUrl, SECRET, cmd)).status;
    },
    async click(who, actionId, value, channel = GENERAL) {
      const p = person(who);
      const action = {
        actionId,
        value,
        userId: p.slack,
        teamId: TEAM,
        userTeamId: p.team ?? TEAM,
        channelId: channel,
        responseUrl: urlFor(p.slack),
      };
      if (!sock) return (await sendAction(eventsUrl, SECRET, action)).status;
      return interact(blockActionPayload(action));
    },
    async submitDeny(who, requestId, reason) {
      const p = person(who);
      const view = {
        callbackId: 'rc_deny_reason',
        privateMetadata: requestId,
        values: { rc_reason_block: { rc_reason_text: reason } },
        userId: p.slack,
        teamId: TEAM,
      };
      if (!sock) return (await sendViewSubmission(eventsUrl, SECRET, view)).status;
      return interact(viewSubmissionPayload(view));
    },
    async replyTo(who, match, from = 0) {
      const p = person(who);
      const seen = (c: ApiCall) =>
        slack.calls.indexOf(c) >= from && visibleTo(c, p.slack) && match.test(String(c.args.text));
      const call = await Promise.any(
        ['chat.postEphemeral', 'response_url', 'chat.postMessage'].map((m) => slack.waitForCall(m, seen)),
      ).catch(() => {
        throw new Error(
          `no visible answer to ${who} matching ${match}; calls: ${slack.calls
            .slice(from)
            .map((c) => `${c.method}${c.flags ? ' [flagged]' : ''}: ${String(c.args.text).slice(0, 60)}`)
            .join(' | ')}`,
        );
      });
      return { text: String(call.args.text), blocks: (call.args.blocks as unknown[]) ?? [] };
    },
    waitPost: (channel, match) =>
      slack.waitForCall(
        'chat.postMessage',
        (c) => c.args.channel === channel && match.test(String(c.args.text)),
      ),
    settled: () => app.slack.idle(),
    async close() {
      await app.stop();
      await sock?.close();
      await slack.close();
      await closeScim();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return e2e;
}

/** Action values of the buttons in a rendered card. */
export function buttons(blocks: unknown[]): { actionId: string; value: string; text: string }[] {
  const out: { actionId: string; value: string; text: string }[] = [];
  for (const b of blocks as {
    type: string;
    elements?: { type: string; action_id: string; value: string; text: { text: string } }[];
  }[])
    if (b.type === 'actions')
      for (const e of b.elements ?? [])
        if (e.type === 'button') out.push({ actionId: e.action_id, value: e.value, text: e.text.text });
  return out;
}
