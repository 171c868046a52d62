import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOfflineExtractor } from '../../src/adapters/intent/index.ts';
import { createLogger, type Logger } from '../../src/adapters/log/logger.ts';
import { type Rolecall, startRolecall } from '../../src/main.ts';
import type { IdGenerator } from '../../src/ports/clock.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';
import { type ApiCall, type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import type { Consent } from '../support/slack-emulator-oauth.ts';
import { blockActionPayload, type Json, mentionEvent } from '../support/slack-payloads.ts';
import { sendAction, sendCommand, sendEvent } from '../support/slack-signing.ts';
import { type SocketModeServer, startSocketModeServer } from '../support/socket-mode-server.ts';
import { ManualClock } from './harness.ts';

/**
 * Rolecall distributed through OAuth (no SLACK_BOT_TOKEN), in HTTP or Socket Mode, against the
 * Slack emulator's OAuth side and our own SCIM server. Three tenants: acme (T0ACME), beta
 * (T0BETA) and grid (an Enterprise Grid org E0GRID installed org-wide, members in T0GRID1);
 * T0NOPE installs the app but no tenant lists it.
 */
export const SECRET = 'oauth-e2e-signing-secret';
export const CLIENT = { clientId: '1111.2222', clientSecret: 'oauth-e2e-client-secret' };
export const GENERAL = 'C0GENERAL';
export const APPROVALS = 'C0APPROVALS';

export interface Member {
  slack: string;
  team: string;
  userName: string;
  name: string;
  groups: string[];
  /** Workspaces that see this member through a Slack Connect channel. */
  sharedWith?: string[];
}

export const MEMBERS: Record<string, Member> = {
  alice: {
    slack: 'U0ALICE',
    team: 'T0ACME',
    userName: 'alice@acme.test',
    name: 'Alice Admin',
    groups: ['Admins'],
  },
  // Acme and Beta share a Slack Connect channel with Olga in it.
  olga: {
    slack: 'U0OLGA',
    team: 'T0ACME',
    userName: 'olga@acme.test',
    name: 'Olga Owner',
    groups: ['Owners'],
    sharedWith: ['T0BETA'],
  },
  bob: {
    slack: 'U0BOB',
    team: 'T0ACME',
    userName: 'bob@acme.test',
    name: 'Bob Builder',
    groups: ['Viewers'],
  },
  bill: {
    slack: 'U0BILL',
    team: 'T0BETA',
    userName: 'bill@beta.test',
    name: 'Bill Beta',
    groups: ['BetaAdmins'],
  },
  bea: {
    slack: 'U0BEA',
    team: 'T0BETA',
    userName: 'bea@beta.test',
    name: 'Bea Beta',
    groups: ['BetaViewers'],
  },
  gina: {
    slack: 'U0GINA',
    team: 'T0GRID1',
    userName: 'gina@grid.test',
    name: 'Gina Grid',
    groups: ['GridAdmins'],
  },
  nora: { slack: 'U0NORA', team: 'T0NOPE', userName: 'nora@nope.test', name: 'Nora Nope', groups: [] },
};

const POLICY = `
tenants:
  - id: acme
    slack: { teams: [T0ACME], approvalChannel: ${APPROVALS} }
    scim: { baseUrl: "SCIM_URL", tokenEnv: E2E_SCIM_TOKEN, roleModel: groups, userLookup: email, retries: 1 }
    roles: { viewer: { group: Viewers }, admin: { group: Admins }, owner: { group: Owners, protected: true } }
    adminRoles: [admin, owner]
    rules:
      - { who: [admin, owner], can: [grant, revoke], roles: [viewer], approval: none }
      - { who: [admin, owner], can: [grant, revoke], roles: [admin], approval: { by: [owner], count: 1 }, maxDuration: 8h }
  - id: beta
    slack: { teams: [T0BETA] }
    scim: { baseUrl: "SCIM_URL", tokenEnv: E2E_SCIM_TOKEN, roleModel: groups, userLookup: email, retries: 1 }
    roles: { viewer: { group: BetaViewers }, admin: { group: BetaAdmins } }
    adminRoles: [admin]
    rules:
      - { who: [admin], can: [grant, revoke], roles: [viewer], approval: none }
  - id: grid
    slack: { teams: [E0GRID, T0GRID1] }
    scim: { baseUrl: "SCIM_URL", tokenEnv: E2E_SCIM_TOKEN, roleModel: groups, userLookup: email, retries: 1 }
    roles: { viewer: { group: GridViewers }, admin: { group: GridAdmins } }
    adminRoles: [admin]
    rules:
      - { who: [admin], can: [grant, revoke], roles: [viewer], approval: none }
`;

/** How each workspace installs: the person who clicks Allow, in their workspace (or org). */
export const CONSENT: Record<string, Consent> = {
  T0ACME: { teamId: 'T0ACME', teamName: 'Acme', userId: 'U0ALICE' },
  T0BETA: { teamId: 'T0BETA', teamName: 'Beta', userId: 'U0BILL' },
  T0NOPE: { teamId: 'T0NOPE', teamName: 'Nope', userId: 'U0NORA' },
  E0GRID: { enterpriseId: 'E0GRID', enterpriseName: 'Grid Org', orgWide: true, userId: 'U0GINA' },
};

export interface OAuthE2E {
  app: Rolecall;
  clock: ManualClock;
  slack: SlackEmulator;
  socket: SocketModeServer | undefined;
  scim: ScimServer;
  env: Record<string, string>;
  dataDir: string;
  base: string;
  /** The whole browser side of an install: /slack/install, Slack's consent, /slack/oauth_redirect. */
  install(id: keyof typeof CONSENT): Promise<{ status: number; body: string; authorizeUrl: string }>;
  /** A mention by a member, delivered to the installation of the member's workspace (or org). */
  say(who: keyof typeof MEMBERS, text: string, o?: { team?: string }): Promise<void>;
  click(
    who: keyof typeof MEMBERS,
    actionId: string,
    value: string,
    o: { team: string; channel?: string },
  ): Promise<void>;
  /** `/rolecall text` in the member's workspace; answers what the app acknowledged with. */
  command(who: keyof typeof MEMBERS, text: string): Promise<unknown>;
  /** Slack's app_uninstalled event for an installation (its tokens are revoked first, as Slack does). */
  uninstall(id: string): Promise<void>;
  /** The next ephemeral for a member after call index `from`. */
  replyTo(who: keyof typeof MEMBERS, match: RegExp, from: number): Promise<ApiCall>;
  settled(): Promise<void>;
  close(): Promise<void>;
}

const org = (team: string) => (team === 'T0GRID1' ? 'E0GRID' : undefined);

export async function startOAuthE2E(
  o: {
    mode: 'http' | 'socket';
    tokenRotation?: boolean;
    expiresIn?: number;
    logger?: Logger;
    /** Use this MongoDB (database name included) instead of SQLite. */
    mongoUri?: string;
  } = {
    mode: 'http',
  },
): Promise<OAuthE2E> {
  const people = Object.values(MEMBERS);
  const slack = await startSlackEmulator({
    teams: [...new Set(people.map((p) => p.team))].map((id) => ({
      id,
      ...(org(id) ? { enterpriseId: org(id) } : {}),
    })),
    users: people.map((p) => ({
      id: p.slack,
      teamId: p.team,
      name: p.userName.split('@')[0],
      realName: p.name,
      email: p.userName,
      ...(p.sharedWith ? { sharedWith: p.sharedWith } : {}),
    })),
    oauth: {
      ...CLIENT,
      ...(o.tokenRotation ? { tokenRotation: true, expiresIn: o.expiresIn ?? 43_200 } : {}),
    },
  });
  const socket = o.mode === 'socket' ? await startSocketModeServer() : undefined;
  if (socket) slack.setSocketUrl(socket.url);
  const groups = [...new Set(people.flatMap((p) => p.groups))]
    .concat(['Viewers', 'BetaViewers', 'GridViewers'])
    .filter((g, i, all) => all.indexOf(g) === i)
    .map((g) => ({
      displayName: g,
      members: people.filter((p) => p.groups.includes(g)).map((p) => p.userName),
    }));
  const scimToken = 'oauth-e2e-scim';
  const scim = await startScimServer({
    token: scimToken,
    groups,
    users: people.map((p) => ({
      userName: p.userName,
      displayName: p.name,
      name: { givenName: p.name.split(' ')[0], familyName: p.name.split(' ')[1] },
      emails: [p.userName],
    })),
  });
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-oauth-'));
  writeFileSync(join(dir, 'rolecall.yml'), POLICY.replaceAll('SCIM_URL', scim.baseUrl));
  const env: Record<string, string> = {
    ROLECALL_CONFIG: join(dir, 'rolecall.yml'),
    ROLECALL_DATA_DIR: join(dir, 'data'),
    SLACK_CLIENT_ID: CLIENT.clientId,
    SLACK_CLIENT_SECRET: CLIENT.clientSecret,
    SLACK_STATE_SECRET: randomBytes(24).toString('base64'),
    ROLECALL_ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    E2E_SCIM_TOKEN: scimToken,
    ...(o.mongoUri ? { MONGODB_URI: o.mongoUri } : {}),
    ...(socket ? { SLACK_APP_TOKEN: slack.appToken } : { SLACK_SIGNING_SECRET: SECRET }),
  };
  let n = 0;
  const ids: IdGenerator = { next: () => `RC-OA${String(++n).padStart(4, '0')}` };
  const clock = new ManualClock();
  const app = await startRolecall({
    env,
    clock,
    ids,
    logger: o.logger ?? createLogger({ level: 'silent' }),
    extractor: createOfflineExtractor(),
    schedulerIntervalMs: 3_600_000,
    slackRetry: { retries: 0 },
    scimSleep: async () => {},
  });
  if (socket) await socket.waitForConnection();
  const base = `http://127.0.0.1:${app.slack.port}`;
  const eventsUrl = `${base}/slack/events`;
  const oauth = slack.oauth!;

  async function deliver(body: { event?: Json; action?: Json }, team: string): Promise<void> {
    const enterpriseId = org(team);
    const inst = oauth.installs.get(enterpriseId ?? team);
    const envelope = {
      teamId: team,
      botUserId: inst?.botUserId ?? 'UNOBOT',
      ...(enterpriseId ? { enterpriseId, isEnterpriseInstall: true } : {}),
    };
    if (body.event) {
      if (socket) await socket.waitForAck(socket.pushEvent(body.event, envelope).envelopeId);
      else {
        const res = await sendEvent(eventsUrl, SECRET, body.event, envelope);
        if (res.status !== 200) throw new Error(`events answered ${res.status}`);
      }
    } else if (body.action) {
      if (socket) await socket.waitForAck(socket.pushInteractive(body.action));
      else {
        const res = await sendAction(eventsUrl, SECRET, body.action as never);
        if (res.status !== 200) throw new Error(`actions answered ${res.status}`);
      }
    }
  }

  const e2e: OAuthE2E = {
    app,
    clock,
    slack,
    socket,
    scim,
    env,
    dataDir: join(dir, 'data'),
    base,
    async install(id) {
      const page = await fetch(`${base}/slack/install`);
      const html = await page.text();
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
      const authorizeUrl = /<a href="([^"]+)"/.exec(html)?.[1];
      if (page.status !== 200 || !authorizeUrl || !cookie)
        throw new Error(`install page: ${page.status} ${html}`);
      const back = oauth.consent(authorizeUrl, CONSENT[id]!, `${base}/slack/oauth_redirect`);
      const res = await fetch(back, { headers: { cookie } });
      return { status: res.status, body: await res.text(), authorizeUrl };
    },
    async say(who, text, w = {}) {
      const p = MEMBERS[who]!;
      const team = w.team ?? p.team;
      const inst = oauth.installs.get(org(team) ?? team);
      const ts = `17000000${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}.000100`;
      const event = mentionEvent({
        user: p.slack,
        text: `<@${inst?.botUserId ?? 'UNOBOT'}> ${text}`,
        channel: GENERAL,
        ts,
        ...(team !== p.team ? { userTeam: p.team } : {}),
      });
      await deliver({ event }, team);
    },
    async click(who, actionId, value, w) {
      const p = MEMBERS[who]!;
      const action = {
        actionId,
        value,
        userId: p.slack,
        teamId: w.team,
        userTeamId: p.team,
        channelId: w.channel ?? GENERAL,
        responseUrl: slack.responseUrl,
      };
      await deliver({ action: socket ? blockActionPayload(action) : (action as unknown as Json) }, w.team);
    },
    async command(who, text) {
      const p = MEMBERS[who]!;
      const cmd = { userId: p.slack, channelId: GENERAL, text, teamId: p.team };
      if (socket) return (await socket.waitForAck(socket.pushSlashCommand(cmd))).payload;
      const res = await sendCommand(eventsUrl, SECRET, cmd);
      return res.body ? JSON.parse(res.body) : undefined;
    },
    async uninstall(id) {
      oauth.revoke(id);
      const team = id.startsWith('E') ? 'T0GRID1' : id;
      await deliver({ event: { type: 'app_uninstalled' } }, team);
      await app.slack.idle();
    },
    replyTo: (who, match, from) =>
      slack.waitForCall(
        'chat.postEphemeral',
        (c) =>
          c.args.user === MEMBERS[who]!.slack &&
          match.test(String(c.args.text)) &&
          slack.calls.indexOf(c) >= from,
      ),
    settled: () => app.slack.idle(),
    async close() {
      await app.stop();
      await socket?.close();
      await slack.close();
      await scim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return e2e;
}
