import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPROVALS, buttons, PEOPLE, POLICY, SECRET, TEAM } from '../e2e/harness.ts';
import { startBetterAuthScim } from './better-auth-scim.ts';
import { type BotProcess, spawnBot } from './bot-process.ts';
import { type ScimServer, startScimServer } from './scim-server.ts';
import { type ApiCall, type SlackEmulator, startSlackEmulator } from './slack-emulator.ts';
import { mentionEvent } from './slack-payloads.ts';
import { sendAction, sendEvent } from './slack-signing.ts';
import { startTimingProxy, type TimingProxy } from './timing-proxy.ts';

/**
 * The peers of one benchmark or crash run, in this process — Slack Web API emulator, a SCIM
 * server behind a timing proxy — and the real bot in a child process (bot-child.ts), driven by
 * signed Slack requests. Reuses the end-to-end harness's people and policy, plus `targets`
 * generated users (Target 0001 …) who start as viewers.
 */
export interface WorldOptions {
  scim: 'better-auth' | 'own';
  targets: number;
  mongoUri?: string;
  schedulerMs?: number;
  /** SCIM timeout in the policy (e.g. '1s'); default the schema's. */
  scimTimeout?: string;
  /** Extra environment for the bot (e.g. ANTHROPIC_BASE_URL). */
  env?: Record<string, string>;
}

export interface Target {
  slack: string;
  userName: string;
  name: string;
}

export interface World {
  slack: SlackEmulator;
  scim: TimingProxy;
  /** Slack Web API calls made by the bot, timed. */
  slackApi: TimingProxy;
  /** Our own SCIM server (faults, request log) when `scim: 'own'`. */
  own?: ScimServer;
  bot: BotProcess;
  targets: Target[];
  dataDir: string;
  /** Mentions the bot as alice (an admin) in `channel`; resolves on the HTTP answer. */
  say(channel: string, text: string, user?: string): Promise<{ status: number; ms: number; at: number }>;
  click(
    channel: string,
    actionId: string,
    value: string,
    user?: string,
  ): Promise<{ status: number; ms: number }>;
  /** The confirmation card shown in `channel` (ephemeral), with its request id. */
  card(channel: string, timeoutMs?: number): Promise<{ requestId: string; at: number; call: ApiCall }>;
  /**
   * The first answer seen in `channel` that `hit` accepts, however it went: posted, ephemeral, or
   * through the response_url of a click made there (issue 14: clicks are answered next to the card).
   */
  answer(channel: string, hit: (c: ApiCall) => boolean, timeoutMs?: number): Promise<ApiCall>;
  /** The outcome message posted in `channel` (Done / failed / …). */
  outcome(channel: string, match: RegExp, timeoutMs?: number): Promise<{ at: number; text: string }>;
  /** Kills (SIGKILL) or stops the bot and starts a new one on the same data. */
  restart(o: { kill: boolean; env?: Record<string, string> }): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(o: WorldOptions): Promise<World> {
  const targets: Target[] = Array.from({ length: o.targets }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return { slack: `U1T${n}`, userName: `target${n}@acme.test`, name: `Target ${n}` };
  });
  const people = Object.values(PEOPLE);
  /** response_url path → the channel of the click it was given with. */
  const clickChannel = new Map<string, string>();
  const slack = await startSlackEmulator({
    teams: [{ id: TEAM }],
    users: [
      ...people
        .filter((p) => !p.team)
        .map((p) => ({
          id: p.slack,
          teamId: TEAM,
          name: p.userName.split('@')[0],
          realName: p.name,
          email: p.userName,
          tz: 'UTC',
          ...p.flags,
        })),
      ...targets.map((t) => ({
        id: t.slack,
        teamId: TEAM,
        name: t.userName.split('@')[0],
        realName: t.name,
        email: t.userName,
        tz: 'UTC',
      })),
    ],
  });
  const inDir = people.filter((p) => p.inDirectory !== false && !p.team);
  const users = [
    ...inDir.map((p) => ({ userName: p.userName, displayName: p.name, emails: [p.userName] })),
    ...targets.map((t) => ({ userName: t.userName, displayName: t.name, emails: [t.userName] })),
  ];
  const groupOf = (g: string) => [
    ...inDir.filter((p) => p.groups.includes(g)).map((p) => p.userName),
    ...(g === 'Viewers' ? targets.map((t) => t.userName) : []),
  ];
  const groups = ['Viewers', 'Editors', 'Admins', 'Owners'].map((g) => ({
    displayName: g,
    members: groupOf(g),
  }));
  let scimUrl: string;
  let token: string;
  let own: ScimServer | undefined;
  let closeScim: () => Promise<void>;
  if (o.scim === 'own') {
    token = 'bench-scim-token';
    own = await startScimServer({ users, groups, token });
    scimUrl = own.baseUrl;
    closeScim = own.close;
  } else {
    const ba = await startBetterAuthScim({ users, groups });
    scimUrl = ba.baseUrl;
    token = ba.token;
    closeScim = ba.close;
  }
  const proxy = await startTimingProxy(scimUrl);
  const slackApi = await startTimingProxy(slack.apiUrl);
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-world-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  writeFileSync(
    join(dir, 'rolecall.yml'),
    POLICY.replace('SCIM_URL', proxy.url).replace(
      'retries: 1',
      `retries: 3${o.scimTimeout ? `, timeout: ${o.scimTimeout}` : ''}`,
    ),
  );
  const env: Record<string, string> = {
    ROLECALL_CONFIG: join(dir, 'rolecall.yml'),
    ROLECALL_DATA_DIR: dataDir,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: `${slackApi.url}/`,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    E2E_SCIM_TOKEN: token,
    ROLECALL_SCHEDULER_MS: String(o.schedulerMs ?? 3_600_000),
    ...(o.mongoUri ? { MONGODB_URI: o.mongoUri } : {}),
    ...o.env,
  };
  let bot = await spawnBot(env);
  const alice = PEOPLE.alice!.slack;
  let tsSeq = 0;
  const world: World = {
    slack,
    scim: proxy,
    slackApi,
    ...(own ? { own } : {}),
    get bot() {
      return bot;
    },
    targets,
    dataDir,
    async say(channel, text, user = alice) {
      const ts = `1700${String(++tsSeq).padStart(6, '0')}.000100`;
      const at = performance.now();
      const event = mentionEvent({ user, text: `<@${slack.botUserId}> ${text}`, channel, ts });
      const res = await sendEvent(bot.eventsUrl, SECRET, event, { teamId: TEAM, botUserId: slack.botUserId });
      return { status: res.status, ms: performance.now() - at, at };
    },
    async click(channel, actionId, value, user = alice) {
      const at = performance.now();
      const responsePath = new URL(slack.responseUrl).pathname;
      clickChannel.set(responsePath, channel);
      const res = await sendAction(bot.eventsUrl, SECRET, {
        actionId,
        value,
        userId: user,
        teamId: TEAM,
        userTeamId: TEAM,
        channelId: channel,
        // Through the Slack timing proxy, like Web API calls: the spent-card replacement is Slack's time.
        responseUrl: new URL(responsePath, slackApi.url).toString(),
      });
      return { status: res.status, ms: performance.now() - at };
    },
    async card(channel, timeoutMs = 30_000) {
      const call = await slack.waitForCall(
        'chat.postEphemeral',
        (c) => c.args.channel === channel && JSON.stringify(c.args.blocks ?? '').includes('rc_confirm'),
        timeoutMs,
      );
      const at = performance.now();
      const confirm = buttons((call.args.blocks as unknown[]) ?? []).find((b) => b.actionId === 'rc_confirm');
      return { requestId: confirm!.value, at, call };
    },
    answer(channel, hit, timeoutMs = 30_000) {
      const inChannel = (c: ApiCall) =>
        (c.method === 'response_url' ? clickChannel.get(String(c.args.url)) : c.args.channel) === channel;
      return Promise.any(
        ['chat.postMessage', 'chat.postEphemeral', 'response_url'].map((m) =>
          slack.waitForCall(m, (c) => inChannel(c) && hit(c), timeoutMs),
        ),
      );
    },
    async outcome(channel, match, timeoutMs = 30_000) {
      const call = await slack.waitForCall(
        'chat.postMessage',
        (c) => c.args.channel === channel && match.test(String(c.args.text)),
        timeoutMs,
      );
      return { at: performance.now(), text: String(call.args.text) };
    },
    async restart(r) {
      if (r.kill) await bot.kill();
      else await bot.stop();
      bot = await spawnBot({ ...env, ...r.env });
    },
    async close() {
      await bot.stop();
      await slack.close();
      await proxy.close();
      await slackApi.close();
      await closeScim();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

export { APPROVALS };
