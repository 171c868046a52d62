import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP reverse proxy that records when each request arrived and when its answer was
 * complete, so a benchmark can tell time spent inside a peer (SCIM, LLM) from time spent in Rolecall.
 */
export interface TimedCall {
  method: string;
  path: string;
  start: number;
  end: number;
  status: number;
  /** Response body bytes. */
  bytes: number;
}

export interface TimingProxy {
  url: string;
  calls: TimedCall[];
  close(): Promise<void>;
}

export async function startTimingProxy(target: string): Promise<TimingProxy> {
  const t = new URL(target);
  const calls: TimedCall[] = [];
  const server = createServer((req, res) => {
    const start = performance.now();
    const up = request(
      {
        host: t.hostname,
        port: t.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: t.host },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        let bytes = 0;
        upRes.on('data', (d: Buffer) => {
          bytes += d.length;
        });
        upRes.pipe(res);
        upRes.on('end', () =>
          calls.push({
            method: req.method ?? 'GET',
            path: req.url ?? '',
            start,
            end: performance.now(),
            status: upRes.statusCode ?? 0,
            bytes,
          }),
        );
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${t.pathname.replace(/\/$/, '')}`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Total time covered by the calls overlapping [from, to] (overlaps counted once). */
export function busyTime(calls: readonly TimedCall[], from: number, to: number): number {
  const spans = calls
    .map((c) => [Math.max(c.start, from), Math.min(c.end, to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = -1;
  let curB = -1;
  for (const [a, b] of spans) {
    if (a > curB) {
      if (curB > curA) total += curB - curA;
      curA = a;
      curB = b;
    } else curB = Math.max(curB, b);
  }
  if (curB > curA) total += curB - curA;
  return total;
}
