import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockProblems, viewProblems } from './slack-blocks.ts';
import { createOAuthSide, type OAuthAppOptions, type OAuthSide } from './slack-emulator-oauth.ts';

/**
 * A local Slack Web API: the methods Rolecall calls, with Slack's token checks, Block Kit limits,
 * error codes and 429 + Retry-After, on 127.0.0.1. Everything it was asked is kept for assertions.
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
}
export interface EmulatedView {
  kind: 'open' | 'publish';
  id: string;
  triggerId?: string;
  userId?: string;
  view: Args;
}
export interface SlackEmulator {
  /** Base for SLACK_API_URL, ends with `/api/`. */
  apiUrl: string;
  /**
   * A response_url for interaction payloads: what the app POSTs there is recorded as a call with
   * method `response_url` (args: the JSON body, e.g. `replace_original`, `text`, `blocks`).
   */
  responseUrl: string;
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

  function post(a: Args): Args {
    let channel = str(a.channel);
    if (!channel) return fail('channel_not_found');
    if (/^[UW]/.test(channel)) channel = dmChannel(channel);
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
      if (!user || !users.has(user)) return fail('user_not_in_channel');
      const bad = messageProblems(a);
      if (bad) return bad;
      const thread = str(a.thread_ts);
      ephemerals.push({
        channel,
        user,
        text: str(a.text) ?? '',
        blocks: (a.blocks as unknown[]) ?? [],
        ...(thread ? { threadTs: thread } : {}),
      });
      return { ok: true, message_ts: nextTs() };
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
      if (!str(a.trigger_id)) return fail('invalid_trigger_id');
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

  function record(call: ApiCall): void {
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
      record({ method: 'response_url', args, auth: 'none', status: 200, response: { ok: true } });
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
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
    record({ method, args, auth, ...(inst ? { workspace: inst.id } : {}), status, response });
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
    responseUrl: `http://127.0.0.1:${port}/response/T0/1/hook`,
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
