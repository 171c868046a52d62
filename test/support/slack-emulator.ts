import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockProblems, viewProblems } from './slack-blocks.ts';
import {
  type EmulatedChannel,
  INVISIBLE_EPHEMERAL,
  postRefusal,
  RESPONSE_URL_TTL_MS,
  RESPONSE_URL_USES,
  type Revocation,
  rawPlainText,
  TRIGGER_TTL_MS,
  triggerIssuedAt,
  userInChannel,
} from './slack-contract.ts';

export type { EmulatedChannel } from './slack-contract.ts';

import { createOAuthSide, type OAuthAppOptions, type OAuthSide } from './slack-emulator-oauth.ts';

/**
 * A local Slack Web API: the methods Rolecall calls, with Slack's token checks, Block Kit limits,
 * error codes and 429 + Retry-After, on 127.0.0.1. Everything it was asked is kept for assertions.
 * It enforces Slack's delivery contract (slack-contract.ts): channels must be declared (the bot's
 * DMs with known users exist), the bot must be a member and the channel not archived, triggers
 * live 3 s, response URLs 30 min and 5 uses, tokens can be revoked. Calls Slack accepts but nobody
 * would see (an ephemeral in a thread that does not exist, markup in plain_text) carry `flags`.
 */
export interface EmulatedUser {
  id: string;
  teamId?: string;
  name?: string;
  realName?: string;
  email?: string;
  tz?: string;
  isBot?: boolean;
  isDeleted?: boolean;
  isRestricted?: boolean;
  isUltraRestricted?: boolean;
  isStranger?: boolean;
  /** users.info `is_email_confirmed` (Slack user object); default true. */
  emailConfirmed?: boolean;
  /** OAuth mode: other workspaces that see this user through a shared (Slack Connect) channel. */
  sharedWith?: string[];
}
export interface EmulatedTeam {
  id: string;
  name?: string;
  domain?: string;
  /** The Enterprise Grid org the workspace belongs to (OAuth mode: org-wide installs see it). */
  enterpriseId?: string;
}
export interface EmulatorOptions {
  users?: EmulatedUser[];
  /** The first team is the installation's. */
  teams?: EmulatedTeam[];
  botUserId?: string;
  botId?: string;
  botToken?: string;
  appToken?: string;
  /** What apps.connections.open returns (a SocketModeServer's `url`); settable later with setSocketUrl. */
  socketUrl?: string;
  /** Conversations that exist besides the bot's DMs with known users. */
  channels?: EmulatedChannel[];
  /** OAuth distribution (slack-emulator-oauth.ts): oauth.v2.access and per-installation tokens. */
  oauth?: OAuthAppOptions;
}
export type Args = Record<string, unknown>;
export interface ApiCall {
  method: string;
  args: Args;
  /** Which token authenticated the call. */
  auth: 'bot' | 'app' | 'none' | 'invalid' | 'revoked';
  /** The installation whose OAuth-issued token authenticated the call (OAuth mode only). */
  workspace?: string;
  status: number;
  response: Args;
  /** Why Slack would accept this call but nobody would see it as sent (see slack-contract.ts). */
  flags?: string[];
}
export interface EmulatedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** Earlier versions, oldest first, each replaced by a chat.update. */
  history: { text: string; blocks: unknown[] }[];
}
export interface EmulatedEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** False when Slack would not show it (a thread that does not exist). */
  visible: boolean;
}
export interface EmulatedView {
  kind: 'open' | 'publish';
  id: string;
  triggerId?: string;
  userId?: string;
  view: Args;
  /** Changes with every views.update (issue 16). */
  hash?: string;
}
export interface SlackEmulator {
  /** Base for SLACK_API_URL, ends with `/api/`. */
  apiUrl: string;
  /**
   * A fresh response_url on every read, for interaction payloads: what the app POSTs there is
   * recorded as a call with method `response_url` (args: the JSON body, e.g. `replace_original`,
   * `text`, `blocks`). Each lives 30 minutes (emulator time) and takes 5 posts.
   */
  readonly responseUrl: string;
  /** Emulator time (ms): the real clock plus what `advanceTime` added. */
  now(): number;
  /** Moves emulator time on: triggers and response URLs age without the test sleeping. */
  advanceTime(ms: number): void;
  channels: Map<string, EmulatedChannel>;
  addChannel(channel: EmulatedChannel): void;
  /** Records a person's message (what Slack shows in the channel), so threads under it exist once replied to. */
  userMessage(channel: string, ts: string, threadTs?: string): void;
  /** Every later call with the bot token answers `error` (the app was uninstalled or deactivated). */
  revoke(error: Revocation): void;
  /** Every flagged call so far: what Slack would accept but not show as sent. */
  flagged(): ApiCall[];
  botToken: string;
  appToken: string;
  botUserId: string;
  teamId: string;
  calls: ApiCall[];
  /** Posted messages per channel, in order; chat.update edits them in place. */
  messages: Map<string, EmulatedMessage[]>;
  ephemerals: EmulatedEphemeral[];
  views: EmulatedView[];
  users: Map<string, EmulatedUser>;
  addUser(user: EmulatedUser): void;
  /** The DM channel id conversations.open returns for a user. */
  dmChannel(userId: string): string;
  /** The next `times` calls to `method` answer HTTP 429 with `Retry-After: retryAfter` (seconds). */
  setRateLimit(method: string, times: number, retryAfter: number): void;
  /** The next `times` calls to `method` answer `{ ok: false, error }`. */
  failNext(method: string, error: string, times?: number): void;
  setSocketUrl(url: string): void;
  /** Present with `oauth` options: consent, issued tokens, revocation. */
  oauth?: OAuthSide;
  callsTo(method: string): ApiCall[];
  /** The first call (already made or still to come) to `method` matching `where`. */
  waitForCall(method: string, where?: (c: ApiCall) => boolean, timeoutMs?: number): Promise<ApiCall>;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata']);

async function readArgs(req: IncomingMessage, url: URL): Promise<Args | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  let args: Args = Object.fromEntries(url.searchParams);
  if (type.includes('application/json') && raw) {
    try {
      args = { ...args, ...(JSON.parse(raw) as Args) };
    } catch {
      return undefined;
    }
  } else if (raw) args = { ...args, ...Object.fromEntries(new URLSearchParams(raw)) };
  for (const k of Object.keys(args)) {
    const v = args[k];
    if (JSON_FIELDS.has(k) && typeof v === 'string') {
      try {
        args[k] = JSON.parse(v);
      } catch {
        return undefined;
      }
    }
  }
  return args;
}

export async function startSlackEmulator(opts: EmulatorOptions = {}): Promise<SlackEmulator> {
  const teams = opts.teams?.length
    ? opts.teams
    : [{ id: 'T0ROLECALL', name: 'Rolecall Test', domain: 'rolecall-test' }];
  const team = teams[0]!;
  const botUserId = opts.botUserId ?? 'UROLECALLBOT';
  const botId = opts.botId ?? 'BROLECALL';
  const botToken = opts.botToken ?? 'xoxb-rolecall-test';
  const appToken = opts.appToken ?? 'xapp-rolecall-test';
  let socketUrl = opts.socketUrl;
  const users = new Map((opts.users ?? []).map((u) => [u.id, u]));
  const channels = new Map((opts.channels ?? []).map((c) => [c.id, c]));
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  let revoked: Revocation | undefined;
  const usedTriggers = new Set<string>();
  const responseUrls = new Map<string, { issuedAt: number; uses: number }>();
  let responseSeq = 0;
  /** Human messages by channel: ts → thread_ts (for thread existence). */
  const humanMessages = new Map<string, Map<string, string | undefined>>();
  const calls: ApiCall[] = [];
  const messages = new Map<string, EmulatedMessage[]>();
  const ephemerals: EmulatedEphemeral[] = [];
  const views: EmulatedView[] = [];
  const rateLimits = new Map<string, { times: number; retryAfter: number }>();
  const failures = new Map<string, { error: string; times: number }>();
  const waiters: { method: string; where: (c: ApiCall) => boolean; resolve: (c: ApiCall) => void }[] = [];
  let seq = 0;
  const nextTs = () => {
    seq += 1;
    return `${1_700_000_000 + seq}.${String(seq).padStart(6, '0')}`;
  };
  const dmChannel = (userId: string) => `D${userId.replace(/^[UW]/, '')}`;

  const slackUser = (u: EmulatedUser) => ({
    id: u.id,
    team_id: u.teamId ?? team.id,
    name: u.name ?? u.id.toLowerCase(),
    real_name: u.realName ?? u.name ?? u.id,
    deleted: u.isDeleted ?? false,
    tz: u.tz ?? 'Europe/Berlin',
    is_bot: u.isBot ?? false,
    is_restricted: u.isRestricted ?? u.isUltraRestricted ?? false,
    is_ultra_restricted: u.isUltraRestricted ?? false,
    ...(u.isStranger ? { is_stranger: true } : {}),
    is_email_confirmed: u.emailConfirmed ?? true,
    profile: {
      real_name: u.realName ?? u.name ?? u.id,
      display_name: u.name ?? '',
      team: u.teamId ?? team.id,
      ...(u.email ? { email: u.email } : {}),
    },
  });

  const fail = (error: string, extra: Args = {}): Args => ({ ok: false, error, ...extra });
  const invalidBlocks = (problems: string[]): Args =>
    fail('invalid_blocks', { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

  function messageProblems(a: Args): Args | undefined {
    const text = str(a.text) ?? '';
    if (!text && a.blocks === undefined) return fail('no_text');
    if (text.length > 40_000) return fail('msg_too_long');
    const problems = blockProblems(a.blocks, 50);
    return problems.length ? invalidBlocks(problems) : undefined;
  }

  /** The bot's DM with a known user exists without being declared. */
  function channelOf(id: string): EmulatedChannel | undefined {
    const declared = channels.get(id);
    if (declared) return declared;
    const dmUser = [...users.keys()].find((u) => dmChannel(u) === id);
    return dmUser ? { id, members: [dmUser], isPrivate: true } : undefined;
  }

  /** A thread exists once some message replies under `threadTs` (chat.postEphemeral, thread_ts). */
  function threadExists(channel: string, threadTs: string): boolean {
    if ((messages.get(channel) ?? []).some((m) => m.threadTs === threadTs)) return true;
    return [...(humanMessages.get(channel)?.values() ?? [])].includes(threadTs);
  }

  function post(a: Args): Args {
    let channel = str(a.channel);
    if (!channel) return fail('channel_not_found');
    if (/^[UW]/.test(channel)) channel = dmChannel(channel);
    const refused = postRefusal(channelOf(channel));
    if (refused) return fail(refused);
    const bad = messageProblems(a);
    if (bad) return bad;
    const m: EmulatedMessage = {
      channel,
      ts: nextTs(),
      text: str(a.text) ?? '',
      blocks: (a.blocks as unknown[] | undefined) ?? [],
      ...(str(a.thread_ts) ? { threadTs: str(a.thread_ts) } : {}),
      history: [],
    };
    messages.set(channel, [...(messages.get(channel) ?? []), m]);
    const message = {
      type: 'message',
      text: m.text,
      blocks: m.blocks,
      user: botUserId,
      bot_id: botId,
      ts: m.ts,
    };
    return { ok: true, channel, ts: m.ts, message };
  }

  const methods: Record<string, (a: Args) => Args> = {
    'auth.test': () => ({
      ok: true,
      url: `https://${team.domain ?? 'test'}.slack.com/`,
      team: team.name ?? team.id,
      user: 'rolecall',
      team_id: team.id,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': post,
    // chat.update on a ts that is not a message of the channel (or on an ephemeral, which has
    // no ts in the channel): `message_not_found`, as Slack answers a stale update.
    'chat.update': (a) => {
      const channel = str(a.channel) ?? '';
      const m = messages.get(channel)?.find((x) => x.ts === a.ts);
      if (!m) return fail(messages.has(channel) ? 'message_not_found' : 'channel_not_found');
      const bad = messageProblems(a);
      if (bad) return bad;
      m.history.push({ text: m.text, blocks: m.blocks });
      if (a.text !== undefined) m.text = str(a.text) ?? '';
      if (a.blocks !== undefined) m.blocks = a.blocks as unknown[];
      return { ok: true, channel, ts: m.ts, text: m.text };
    },
    'chat.postEphemeral': (a) => {
      const channel = str(a.channel);
      const user = str(a.user);
      if (!channel) return fail('channel_not_found');
      const ch = channelOf(channel);
      const refused = postRefusal(ch);
      if (refused) return fail(refused);
      if (!user || !users.has(user) || !userInChannel(ch!, user)) return fail('user_not_in_channel');
      const bad = messageProblems(a);
      if (bad) return bad;
      const thread = str(a.thread_ts);
      const visible = !thread || threadExists(channel, thread);
      ephemerals.push({
        channel,
        user,
        text: str(a.text) ?? '',
        blocks: (a.blocks as unknown[]) ?? [],
        ...(thread ? { threadTs: thread } : {}),
        visible,
      });
      return { ok: true, message_ts: nextTs() };
    },
    'conversations.info': (a) => {
      const ch = channelOf(str(a.channel) ?? '');
      // A private conversation the bot is not in is invisible to it (conversations.info errors:
      // "channel_not_found: Value passed for channel was invalid.").
      if (!ch || (ch.isPrivate && ch.botMember === false)) return fail('channel_not_found');
      return {
        ok: true,
        channel: {
          id: ch.id,
          is_member: ch.botMember !== false,
          is_archived: Boolean(ch.isArchived),
          is_private: Boolean(ch.isPrivate),
          is_im: ch.id.startsWith('D'),
        },
      };
    },
    'users.lookupByEmail': (a) => {
      // users.lookupByEmail errors: "users_not_found: Value passed for user was invalid."
      const email = (str(a.email) ?? '').toLowerCase();
      const u = [...users.values()].find((x) => x.email?.toLowerCase() === email && !x.isDeleted);
      return u ? { ok: true, user: slackUser(u) } : fail('users_not_found');
    },
    'users.info': (a) => {
      const u = users.get(str(a.user) ?? '');
      return u ? { ok: true, user: slackUser(u) } : fail('user_not_found');
    },
    'conversations.open': (a) => {
      const ids = (str(a.users) ?? '').split(',').filter(Boolean);
      if (ids.length === 0) return fail('users_list_not_supplied');
      if (ids.some((i) => !users.has(i))) return fail('user_not_found');
      if (ids.length > 1)
        return {
          ok: true,
          channel: {
            id: `G${ids
              .join('')
              .replace(/[^A-Z0-9]/g, '')
              .slice(0, 10)}`,
          },
        };
      return { ok: true, channel: { id: dmChannel(ids[0]!) } };
    },
    'views.open': (a) => {
      const trigger = str(a.trigger_id) ?? '';
      const issued = triggerIssuedAt(trigger);
      if (issued === undefined) return fail('invalid_trigger_id');
      if (now() - issued > TRIGGER_TTL_MS) return fail('expired_trigger_id');
      if (usedTriggers.has(trigger)) return fail('exchanged_trigger_id');
      usedTriggers.add(trigger);
      const problems = viewProblems(a.view);
      if (problems.length) return invalidBlocks(problems);
      const v: EmulatedView = {
        kind: 'open',
        id: `V${nextTs().replace('.', '')}`,
        triggerId: str(a.trigger_id)!,
        view: a.view as Args,
      };
      views.push(v);
      return { ok: true, view: { id: v.id, ...v.view } };
    },
    // https://api.slack.com/methods/views.update: by view_id (or external_id) of an open view; a
    // `hash` that is not the view's current one fails with hash_conflict. (Issue 16's request form.)
    'views.update': (a) => {
      const v = views.find((x) => x.kind === 'open' && x.id === str(a.view_id));
      if (!v) return fail('not_found');
      if (str(a.hash) && str(a.hash) !== v.hash) return fail('hash_conflict');
      const problems = viewProblems(a.view);
      if (problems.length) return invalidBlocks(problems);
      v.view = a.view as Args;
      v.hash = `h${nextTs().replace('.', '')}`;
      return { ok: true, view: { id: v.id, hash: v.hash, ...v.view } };
    },
    'views.publish': (a) => {
      const user = str(a.user_id);
      if (!user) return fail('invalid_arguments');
      const problems = viewProblems(a.view);
      if (problems.length) return invalidBlocks(problems);
      if ((a.view as Args).type !== 'home') return fail('invalid_arguments');
      const v: EmulatedView = {
        kind: 'publish',
        id: `V${nextTs().replace('.', '')}`,
        userId: user,
        view: a.view as Args,
      };
      views.push(v);
      return { ok: true, view: { id: v.id, ...v.view } };
    },
    'apps.connections.open': () => (socketUrl ? { ok: true, url: socketUrl } : fail('internal_error')),
  };

  function authOf(req: IncomingMessage, args: Args): ApiCall['auth'] {
    const header = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    const token = header || str(args.token);
    if (!token) return 'none';
    if (token === botToken) return 'bot';
    if (token === appToken) return 'app';
    return 'invalid';
  }

  function answer(method: string, args: Args, auth: ApiCall['auth']): [number, Args, Record<string, string>] {
    const limit = rateLimits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      return [429, fail('ratelimited'), { 'retry-after': String(limit.retryAfter) }];
    }
    const handler = methods[method];
    if (!handler) return [200, fail('unknown_method'), {}];
    if (auth === 'none') return [200, fail('not_authed'), {}];
    if (auth === 'invalid') return [200, fail('invalid_auth'), {}];
    if (auth === 'bot' && revoked) return [200, fail(revoked), {}];
    if (auth === 'revoked') return [200, fail('token_revoked'), {}];
    if ((method === 'apps.connections.open') !== (auth === 'app'))
      return [200, fail('not_allowed_token_type'), {}];
    const f = failures.get(method);
    if (f && f.times > 0) {
      f.times -= 1;
      return [200, fail(f.error), {}];
    }
    return [200, handler(args), {}];
  }

  function flagsOf(method: string, args: Args, response: Args): string[] {
    if (response.ok === false) return [];
    const flags = rawPlainText(args.blocks).concat(rawPlainText(args.view, 'view'));
    if (method === 'chat.postEphemeral' && ephemerals.at(-1)?.visible === false)
      flags.push(INVISIBLE_EPHEMERAL);
    return flags;
  }

  function record(call: ApiCall): void {
    if (call.flags && call.flags.length === 0) delete call.flags;
    calls.push(call);
    for (const w of [...waiters])
      if (w.method === call.method && w.where(call)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
  }

  let oauth: OAuthSide | undefined;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = url.pathname.replace(/^\/api\//, '');
    const args = await readArgs(req, url);
    if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      if (!args) return void res.writeHead(400).end('invalid_json');
      const issued = responseUrls.get(url.pathname);
      let refusal: string | undefined;
      if (!issued) refusal = 'invalid_url';
      else if (now() - issued.issuedAt > RESPONSE_URL_TTL_MS) refusal = 'expired_url';
      else if (issued.uses >= RESPONSE_URL_USES) refusal = 'used_url';
      else issued.uses += 1;
      const response = refusal ? fail(refusal) : { ok: true };
      const status = refusal ? 404 : 200;
      record({
        method: 'response_url',
        args: { ...args, url: url.pathname },
        auth: 'none',
        status,
        response,
        flags: flagsOf('response_url', args, response),
      });
      return void res.writeHead(status, { 'content-type': 'text/plain' }).end(refusal ?? 'ok');
    }
    if (!url.pathname.startsWith('/api/')) return void res.writeHead(404).end();
    if (!args)
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(fail('invalid_json')));
    // OAuth distribution: the code exchange, and tokens issued per installation.
    const token = req.headers.authorization?.replace(/^Bearer\s+/i, '') || str(args.token);
    const inst = token ? oauth?.installOf(token) : undefined;
    if (oauth && method === 'oauth.v2.access') {
      const response = oauth.access(args, req);
      record({ method, args, auth: 'none', status: 200, response });
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
    }
    const auth = inst ? (inst.revoked ? 'revoked' : 'bot') : authOf(req, args);
    delete args.token;
    const hidden = inst && auth === 'bot' ? oauth!.hiddenUser(method, args, inst, users, teams) : undefined;
    const [status, response, headers] =
      inst && auth === 'bot' && method === 'auth.test'
        ? [200, oauth!.authTest(inst), {}]
        : hidden
          ? [200, fail(hidden), {}]
          : answer(method, args, auth);
    record({
      method,
      args,
      auth,
      ...(inst ? { workspace: inst.id } : {}),
      status,
      response,
      flags: flagsOf(method, args, response),
    });
    res
      .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
      .end(JSON.stringify(response));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  oauth = opts.oauth ? createOAuthSide(opts.oauth, () => `http://127.0.0.1:${port}/api/`) : undefined;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    get responseUrl() {
      responseSeq += 1;
      const path = `/response/${team.id}/${responseSeq}/hook`;
      responseUrls.set(path, { issuedAt: now(), uses: 0 });
      return `http://127.0.0.1:${port}${path}`;
    },
    now,
    advanceTime: (ms) => {
      offsetMs += ms;
    },
    channels,
    addChannel: (c) => void channels.set(c.id, c),
    userMessage(channel, ts, threadTs) {
      const m = humanMessages.get(channel) ?? new Map<string, string | undefined>();
      m.set(ts, threadTs);
      humanMessages.set(channel, m);
    },
    revoke: (error) => {
      revoked = error;
    },
    flagged: () => calls.filter((c) => c.flags?.length),
    botToken,
    appToken,
    botUserId,
    teamId: team.id,
    calls,
    messages,
    ephemerals,
    views,
    users,
    addUser: (u) => void users.set(u.id, u),
    dmChannel,
    setRateLimit: (method, times, retryAfter) => void rateLimits.set(method, { times, retryAfter }),
    failNext: (method, error, times = 1) => void failures.set(method, { error, times }),
    setSocketUrl: (u) => {
      socketUrl = u;
    },
    ...(oauth ? { oauth } : {}),
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitForCall(method, where = () => true, timeoutMs = 5_000) {
      const seen = calls.find((c) => c.method === method && where(c));
      if (seen) return Promise.resolve(seen);
      return new Promise<ApiCall>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(
            new Error(
              `no ${method} call within ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(', ') || 'none'}`,
            ),
          );
        }, timeoutMs);
        const w = {
          method,
          where,
          resolve: (c: ApiCall) => {
            clearTimeout(timer);
            resolve(c);
          },
        };
        waiters.push(w);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
