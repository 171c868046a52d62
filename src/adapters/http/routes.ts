import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RolecallError } from '../../core/errors.ts';
import type { Logger } from '../log/logger.ts';

/**
 * Plain HTTP routing shared by every surface (the Slack app in Socket Mode or HTTP mode, the
 * playground's page server): operator routes, /healthz, and the small server that serves them.
 * Nothing here knows Slack; a surface names the paths it owns itself (`reserved`).
 */

/** An extra HTTP route (e.g. GET /metrics, GET /readyz), served next to a surface's own. */
export interface HttpRoute {
  method: string | string[];
  /** Exact path, e.g. `/metrics`. */
  path: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

export const HEALTH_PATH = '/healthz';

export const healthRoute: HttpRoute = {
  method: 'GET',
  path: HEALTH_PATH,
  handler: (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  },
};

const methods = (r: HttpRoute) =>
  (Array.isArray(r.method) ? r.method : [r.method]).map((m) => m.toUpperCase());

/** Caller routes plus /healthz; a path the surface owns (`reserved`) or a duplicate stops the start. */
export function allRoutes(extra: HttpRoute[], log: Logger, reserved: readonly string[] = []): HttpRoute[] {
  const seen = new Set<string>();
  const out: HttpRoute[] = [];
  for (const r of [healthRoute, ...extra]) {
    if (!r.path.startsWith('/') || reserved.includes(r.path))
      throw new RolecallError('CONFIG.INVALID', `route ${r.path}: not a path the bot can serve`, {
        details: { key: r.path },
      });
    for (const m of methods(r)) {
      const key = `${m} ${r.path}`;
      if (seen.has(key))
        throw new RolecallError('CONFIG.INVALID', `route ${key} is defined twice`, { details: { key } });
      seen.add(key);
    }
    out.push(guard(r, log));
  }
  return out;
}

/** Async handlers that throw answer 500 instead of becoming unhandled rejections. */
function guard(r: HttpRoute, log: Logger): HttpRoute {
  return {
    method: methods(r),
    path: r.path,
    handler: (req, res) => {
      Promise.resolve()
        .then(() => r.handler(req, res))
        .catch((err: unknown) => {
          log.error({ err, path: r.path }, 'HTTP route failed');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error\n');
        });
    },
  };
}

/** Socket Mode still serves health and metrics; this is that small server. */
export function startRouteServer(routes: HttpRoute[], port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routes.find(
      (r) => r.path === path && methods(r).includes(method === 'HEAD' ? 'GET' : method),
    );
    if (route) return void route.handler(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function boundPort(server: Server): number | undefined {
  const a = server.address();
  return a && typeof a === 'object' ? (a as AddressInfo).port : undefined;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
