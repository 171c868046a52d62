import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpRoute } from '../adapters/http/routes.ts';
import { allRoutes, boundPort, closeServer } from '../adapters/http/routes.ts';
import type { Logger } from '../adapters/log/logger.ts';
import { ACTIONS, type UseCases } from '../app/inbound.ts';
import { FORM_ACTION } from '../app/request-form.ts';
import { RolecallError } from '../core/errors.ts';
import type { RoleRequest } from '../core/request-record.ts';
import type { Surface } from '../main.ts';
import { formAnswer, refreshDecidedCards } from './form-api.ts';
import { BOT, type WebChat, type WebMessage } from './web-chat.ts';

/**
 * The playground's surface: one static page and a small JSON API on 127.0.0.1 that play Slack's
 * part — a message goes to handleMessage, a button to handleClick, deny with its reason to
 * denyRequest, App Home to renderHome — plus /healthz, /readyz and /metrics. No authentication:
 * it only ever listens on loopback, and refuses other Host headers (DNS rebinding) and non-JSON
 * posts (cross-site forms).
 */
export interface PlaygroundSurfaceOptions {
  chat: WebChat;
  useCases: UseCases;
  teamId: string;
  routes: HttpRoute[];
  logger: Logger;
  port: number;
  /** Current catalogue roles of a person, read from the directory (shown next to their name). */
  rolesOf(userId: string): Promise<string[]>;
  /** Shown at the top of the page. */
  title: string;
  /** A request as stored now, to bring the requester's card up to date once it is decided. */
  requestById?(id: string): Promise<RoleRequest | undefined>;
}

export interface PlaygroundSurface extends Surface {
  readonly mode: 'playground';
  /** http://127.0.0.1:PORT once started. */
  readonly url: string | undefined;
  /** Resolves when every message and click already received has been handled. */
  idle(): Promise<void>;
}

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
const inline = (tag: string) => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(PAGE)?.[1] ?? '';
/** Only the page's own inline script and style run: injected markup could not execute even if escaping failed. */
const CSP = [
  "default-src 'none'",
  `script-src ${sha(inline('script'))}`,
  `style-src ${sha(inline('style'))}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MAX_BODY = 64 * 1024;
const MAX_TEXT = 4000;

class BadRequest extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

export function createPlaygroundSurface(o: PlaygroundSurfaceOptions): PlaygroundSurface {
  const { chat, useCases } = o;
  const log = o.logger.child({ component: 'playground' });
  const operatorRoutes = allRoutes(o.routes, log);
  const streams = new Set<ServerResponse>();
  const work = new Set<Promise<void>>();
  let server: Server | undefined;
  let refreshing = false;
  const unsubscribe = chat.onChange(() => {
    for (const res of streams) res.write('data: change\n\n');
    // A decision also reaches the requester as a message (approver, expiry by the scheduler): bring
    // their card up to date then too. One pass at a time; a pass that changes nothing ends it.
    if (refreshing) return;
    refreshing = true;
    void track(refreshDecided())
      .catch((err: unknown) => log.warn({ err }, 'could not refresh decided cards'))
      .finally(() => {
        refreshing = false;
      });
  });

  const person = (id: unknown) => {
    const u = typeof id === 'string' ? chat.users.find((x) => x.id === id) : undefined;
    if (!u) throw new BadRequest('unknown person; pick one of GET /api/people');
    return u;
  };
  const channelFor = (userId: string, id: unknown) => {
    if (typeof id !== 'string' || !chat.canSee(userId, id))
      throw new BadRequest('unknown channel for this person');
    return id;
  };
  const track = <T>(p: Promise<T>): Promise<T> => {
    // Tracked for "settled" only; the caller awaits (and handles) p itself.
    const done = p.then(
      () => {},
      () => {},
    );
    work.add(done);
    return p.finally(() => work.delete(done));
  };

  const refreshDecided = () => refreshDecidedCards(chat, o.requestById);

  const view = (m: WebMessage) => ({
    ts: m.ts,
    threadTs: m.threadTs ?? null,
    from: m.from,
    fromName: m.from === BOT ? 'Rolecall' : (chat.users.find((u) => u.id === m.from)?.realName ?? m.from),
    ephemeral: m.visibleTo !== undefined,
    edited: m.edited ?? false,
    text: m.text ?? null,
    card: m.card ?? null,
  });

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const q = url.searchParams;
    if (method === 'GET' && url.pathname === '/api/people') {
      const people = await Promise.all(
        chat.users.map(async (u) => ({
          id: u.id,
          name: u.realName ?? u.name,
          email: u.email,
          tz: u.tz ?? null,
          roles: await o.rolesOf(u.id).catch(() => []),
        })),
      );
      return json(res, 200, { title: o.title, people });
    }
    if (method === 'GET' && url.pathname === '/api/channels') {
      const me = person(q.get('as'));
      return json(res, 200, { channels: chat.channelsFor(me.id) });
    }
    if (method === 'GET' && url.pathname === '/api/messages') {
      const me = person(q.get('as'));
      const channel = channelFor(me.id, q.get('channel'));
      return json(res, 200, { messages: chat.visible(me.id, channel).map(view) });
    }
    if (method === 'GET' && url.pathname === '/api/home') {
      const me = person(q.get('as'));
      return json(res, 200, await useCases.renderHome(me.id, o.teamId));
    }
    if (method === 'GET' && url.pathname === '/api/events') return events(req, res);
    if (method === 'POST' && url.pathname === '/api/say') {
      const b = await body(req);
      const me = person(b.as);
      const channelId = channelFor(me.id, b.channel);
      const text = typeof b.text === 'string' ? b.text.trim() : '';
      if (!text) throw new BadRequest('say something');
      if (text.length > MAX_TEXT) throw new BadRequest(`at most ${MAX_TEXT} characters`);
      const threadTs =
        typeof b.threadTs === 'string' && chat.find(channelId, b.threadTs) ? b.threadTs : undefined;
      const said = chat.say(me.id, channelId, text, threadTs);
      await track(
        useCases.handleMessage({
          deliveryId: `web-${said.ts}`,
          source: chat.isDm(channelId) ? 'dm' : 'mention',
          isDm: chat.isDm(channelId),
          teamId: o.teamId,
          userTeamId: me.teamId,
          channelId,
          userId: me.id,
          text,
          ts: said.ts,
          ...(threadTs ? { threadTs } : {}),
        }),
      );
      return json(res, 200, { ts: said.ts });
    }
    if (method === 'POST' && url.pathname === '/api/click') {
      const b = await body(req);
      const me = person(b.as);
      const channelId = channelFor(me.id, b.channel);
      // The button comes from a message this person can see, never from the request body.
      const msg =
        typeof b.ts === 'string' ? chat.visible(me.id, channelId).find((m) => m.ts === b.ts) : undefined;
      const button = typeof b.button === 'number' ? msg?.card?.buttons?.[b.button] : undefined;
      if (!msg || !button) throw new BadRequest('no such button');
      const clicker = { userId: me.id, teamId: me.teamId };
      const click = {
        actionId: button.actionId,
        value: button.value,
        clicker,
        channelId,
        isDm: chat.isDm(channelId),
        messageTs: msg.ts,
      };
      if (button.actionId === FORM_ACTION) {
        // As Slack opens a modal: the page shows the form; nothing else happens until it is sent.
        const form = await useCases.openRequestForm?.(click);
        if (!form) throw new BadRequest('the request form is not available');
        return json(res, 200, 'prefill' in form ? { form } : { refusal: form });
      }
      if (button.actionId === ACTIONS.deny) {
        const reason = typeof b.reason === 'string' ? b.reason.trim() : '';
        if (!reason) throw new BadRequest('give a reason for the requester');
        await track(useCases.denyRequest(button.value, clicker, reason.slice(0, MAX_TEXT)));
      } else {
        const spent = await track(useCases.handleClick(click));
        // As Slack's response_url does: the clicked card loses its spent buttons.
        if (spent) await chat.update({ channelId, ts: msg.ts }, spent);
      }
      await refreshDecided();
      return json(res, 200, { ok: true });
    }
    if (method === 'POST' && url.pathname === '/api/form') {
      const b = await body(req);
      const me = person(b.as);
      const channelId = channelFor(me.id, b.channel);
      if (!useCases.submitRequestForm) throw new BadRequest('the request form is not available');
      const answer = formAnswer(b, chat, channelId);
      if (typeof answer === 'string') throw new BadRequest(answer);
      await track(
        useCases.submitRequestForm({
          clicker: { userId: me.id, teamId: me.teamId },
          channelId,
          isDm: chat.isDm(channelId),
          ...answer,
        }),
      );
      return json(res, 200, { ok: true });
    }
    throw new BadRequest('not found', 404);
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write('retry: 1000\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const port = server ? boundPort(server) : undefined;
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      return json(res, 421, { error: 'this playground answers only at 127.0.0.1' });
    if (req.method === 'GET' && url.pathname === '/') {
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': CSP,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-store',
        })
        .end(PAGE);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      try {
        await api(req, res, url);
      } catch (err) {
        if (err instanceof BadRequest) return json(res, err.status, { error: err.message });
        log.error({ err }, 'playground request failed');
        return json(res, 500, { error: 'internal error' });
      }
      return;
    }
    const route = operatorRoutes.find(
      (r) =>
        r.path === url.pathname &&
        (r.method as string[]).includes(req.method === 'HEAD' ? 'GET' : (req.method ?? '')),
    );
    if (route) return void route.handler(req, res);
    json(res, 404, { error: 'not found' });
  }

  return {
    mode: 'playground',
    get port() {
      return server ? boundPort(server) : undefined;
    },
    get connected() {
      return server?.listening ?? false;
    },
    get url() {
      return server ? `http://127.0.0.1:${boundPort(server)}` : undefined;
    },
    async start() {
      if (server) throw new RolecallError('INTERNAL', 'the playground is already started');
      const srv = createServer((req, res) => {
        handle(req, res).catch((err: unknown) => {
          log.error({ err }, 'playground request failed');
          if (!res.headersSent) json(res, 500, { error: 'internal error' });
        });
      });
      await new Promise<void>((resolve, reject) => {
        srv.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            new RolecallError(
              'CONFIG.INVALID',
              `PORT: cannot listen on 127.0.0.1:${o.port} (${err.code ?? err.message}); pick another with --port or PORT`,
              { cause: err, details: { key: 'PORT' } },
            ),
          ),
        );
        srv.listen({ port: o.port, host: '127.0.0.1' }, resolve);
      });
      server = srv;
      log.info({ url: `http://127.0.0.1:${boundPort(server)}` }, 'playground page ready');
    },
    async stop() {
      unsubscribe();
      for (const res of streams) res.end();
      streams.clear();
      if (server) await closeServer(server);
      server = undefined;
      await Promise.allSettled([...work]);
    },
    idle: async () => {
      while (work.size) await Promise.allSettled([...work]);
    },
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(value));
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  // A cross-site form cannot send application/json without a preflight we never answer.
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    throw new BadRequest('send JSON (content-type: application/json)', 415);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new BadRequest('body too large', 413);
    chunks.push(c as Buffer);
  }
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new BadRequest('body is not a JSON object');
}
