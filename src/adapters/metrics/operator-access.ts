import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpRoute } from '../http/routes.ts';

/**
 * Who may read the operator endpoints (GET /metrics, GET /readyz). They share a port with the Slack
 * events endpoint, which must be reachable from the internet in HTTP mode, so a bind address alone
 * can't protect them. Safe by default:
 * - `ROLECALL_OPS_TOKEN` set: every caller needs `Authorization: Bearer <token>` (Prometheus
 *   `authorization`/`bearer_token_file`, Kubernetes probe `httpHeaders`), compared in constant time.
 * - unset: only direct loopback connections (a sidecar, `curl localhost`, a container HEALTHCHECK)
 *   are served; a request that came through a proxy (Forwarded, X-Forwarded-For, X-Real-IP) is not,
 *   because a proxy on the same host would otherwise make every internet client look local.
 * /healthz stays open: it says only `{"ok":true}` and costs nothing.
 */
export type OperatorVerdict = 'ok' | 'unauthorized' | 'forbidden';

const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Constant-time over digests, so neither the token's content nor its length leaks by timing. */
function sameSecret(given: string, expected: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(given), h(expected));
}

export function operatorVerdict(
  req: Pick<IncomingMessage, 'headers' | 'socket'>,
  token: string | undefined,
): OperatorVerdict {
  if (token) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
    return m && sameSecret(m[1]!, token) ? 'ok' : 'unauthorized';
  }
  const proxied = PROXY_HEADERS.some((h) => req.headers[h] !== undefined);
  return !proxied && isLoopback(req.socket.remoteAddress) ? 'ok' : 'forbidden';
}

/** The routes, each answering 401/403 (and nothing else) to callers operatorVerdict refuses. */
export function operatorOnly(token: string | undefined, routes: HttpRoute[]): HttpRoute[] {
  return routes.map((r) => ({
    ...r,
    handler: (req, res) => {
      const verdict = operatorVerdict(req, token);
      if (verdict === 'ok') return r.handler(req, res);
      if (verdict === 'unauthorized')
        res
          .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="rolecall"' })
          .end('unauthorized\n');
      else
        res
          .writeHead(403, { 'content-type': 'text/plain' })
          .end('forbidden: set ROLECALL_OPS_TOKEN to serve operator endpoints beyond loopback\n');
    },
  }));
}
