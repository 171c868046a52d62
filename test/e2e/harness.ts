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
import { dmEvent, mentionEvent } from '../support/slack-payloads.ts';
import { sendAction, sendEvent, sendViewSubmission } from '../support/slack-signing.ts';

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

export interface E2E {
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
    where?: { channel?: string; dm?: boolean },
  ): Promise<{ status: number; eventId: string }>;
  click(who: keyof typeof PEOPLE, actionId: string, value: string, channel?: string): Promise<number>;
  submitDeny(who: keyof typeof PEOPLE, requestId: string, reason: string): Promise<number>;
  /** The next ephemeral (or DM post) to a person whose text matches. */
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
  } = {},
): Promise<E2E> {
  const people = Object.values(PEOPLE);
  const slack = await startSlackEmulator({
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
    SLACK_SIGNING_SECRET: SECRET,
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
  const e2e: E2E = {
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
      const event = where.dm
        ? dmEvent({ user: p.slack, text, channel: slack.dmChannel(p.slack), ts })
        : mentionEvent({
            user: p.slack,
            text: `<@${slack.botUserId}> ${text}`,
            channel: where.channel ?? GENERAL,
            ts,
            userTeam: p.team ?? TEAM,
          });
      const res = await sendEvent(eventsUrl, SECRET, event, { teamId: TEAM, botUserId: slack.botUserId });
      return { status: res.status, eventId: res.eventId };
    },
    async click(who, actionId, value, channel = GENERAL) {
      const p = person(who);
      const res = await sendAction(eventsUrl, SECRET, {
        actionId,
        value,
        userId: p.slack,
        teamId: TEAM,
        userTeamId: p.team ?? TEAM,
        channelId: channel,
        responseUrl: slack.responseUrl,
      });
      return res.status;
    },
    async submitDeny(who, requestId, reason) {
      const p = person(who);
      const res = await sendViewSubmission(eventsUrl, SECRET, {
        callbackId: 'rc_deny_reason',
        privateMetadata: requestId,
        values: { rc_reason_block: { rc_reason_text: reason } },
        userId: p.slack,
        teamId: TEAM,
      });
      return res.status;
    },
    async replyTo(who, match, from = 0) {
      const p = person(who);
      const call = await slack.waitForCall(
        'chat.postEphemeral',
        (c) => c.args.user === p.slack && match.test(String(c.args.text)) && slack.calls.indexOf(c) >= from,
      );
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
