import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineExtractor } from '../../src/adapters/intent/index.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { type Rolecall, startRolecall } from '../../src/main.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { type SocketModeServer, startSocketModeServer } from '../support/socket-mode-server.ts';
import { POLICY, TEAM } from './harness.ts';

/**
 * The whole bot in Socket Mode: /healthz, /readyz and /metrics are served on PORT too, and
 * /readyz says 503 until the socket is connected and again once the store is gone.
 */
let slack: SlackEmulator;
let sock: SocketModeServer;
let scim: ScimServer;
let app: Rolecall | undefined;
const dir = mkdtempSync(join(tmpdir(), 'rolecall-socket-probes-'));

/** A port nobody listens on right now (the bot needs a known port before start() resolves). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Polls until the route server answers at all (bounded); returns the first answer. */
async function firstAnswer(url: string, within = 5_000): Promise<Response> {
  const until = Date.now() + within;
  for (;;) {
    try {
      return await fetch(url);
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setImmediate(r));
    }
  }
}

beforeAll(async () => {
  sock = await startSocketModeServer({ holdHello: true });
  slack = await startSlackEmulator({ teams: [{ id: TEAM }], socketUrl: sock.url });
  scim = await startScimServer({
    token: 'probe-token',
    groups: ['Viewers', 'Editors', 'Admins', 'Owners'].map((displayName) => ({ displayName, members: [] })),
  });
  writeFileSync(join(dir, 'rolecall.yml'), POLICY.replace('SCIM_URL', scim.baseUrl));
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([slack?.close(), sock?.close(), scim?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('Socket Mode: health, readiness and metrics on PORT', () => {
  let base: string;

  it('/readyz is 503 (slack: false) while the socket is connecting, 200 once connected', async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const starting = startRolecall({
      env: {
        ROLECALL_CONFIG: join(dir, 'rolecall.yml'),
        ROLECALL_DATA_DIR: join(dir, 'data'),
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_APP_TOKEN: slack.appToken,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        E2E_SCIM_TOKEN: 'probe-token',
      },
      logger: createLogger({ level: 'silent' }),
      extractor: createOfflineExtractor(),
      schedulerIntervalMs: 3_600_000,
    });
    await sock.waitForConnection(1);
    const early = await firstAnswer(`${base}/readyz`);
    expect(early.status).toBe(503);
    expect(await early.json()).toEqual({ ok: false, store: true, slack: false });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    sock.sendHello();
    app = await starting;
    expect(app.slack.mode).toBe('socket');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, store: true, slack: true });
  });

  it('serves /metrics in Prometheus text format', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('# TYPE rolecall_requests_total counter');
    expect(text).toMatch(/^rolecall_pending_approvals 0$/m);
    expect(text).toMatch(/^rolecall_active_timebound_grants 0$/m);
  });

  it('/readyz is 503 (store: false) once the store is gone', async () => {
    await app!.stores.close();
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect((await res.json()) as object).toMatchObject({ ok: false, store: false });
  });
});
