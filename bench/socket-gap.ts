import { createSlackApp } from '../src/adapters/slack/app.ts';
import { startSlackEmulator } from '../test/support/slack-emulator.ts';
import { captureLogger, FAST_RETRY, slackEnv } from '../test/support/slack-harness.ts';
import { startSocketModeServer } from '../test/support/socket-mode-server.ts';

/**
 * Socket Mode reconnect gap (issue 14, item 13): how long after a routine `disconnect` frame the
 * app has no open socket, so a click in that window cannot be delivered. Run: node bench/socket-gap.ts
 */
const runs = Number(process.argv[2] ?? 3);
const sock = await startSocketModeServer();
const emu = await startSlackEmulator({ socketUrl: sock.url });
const { logger } = captureLogger('silent');
const app = createSlackApp({
  env: slackEnv({ SLACK_BOT_TOKEN: emu.botToken, SLACK_APP_TOKEN: emu.appToken, SLACK_API_URL: emu.apiUrl }),
  useCases: {
    handleMessage: async () => {},
    handleClick: async () => undefined,
    denyRequest: async () => {},
    renderHome: async () => ({ sections: [] }),
  },
  logger,
  retry: FAST_RETRY,
});
await app.start();
await sock.waitForConnection(1);
const gaps: number[] = [];
for (let i = 0; i < runs; i++) {
  const before = sock.connections;
  const t0 = Date.now();
  sock.sendDisconnect();
  await sock.waitForConnection(before + 1, 30_000);
  // Connected means the new socket got its hello: poll the app's own view of it.
  while (!app.connected) await new Promise((r) => setTimeout(r, 5));
  gaps.push(Date.now() - t0);
  console.log(
    `disconnect → connected again: ${gaps.at(-1)} ms (socket opened after ${sock.connectedAt.at(-1)! - t0} ms)`,
  );
}
console.log(`gap: min ${Math.min(...gaps)} ms, max ${Math.max(...gaps)} ms over ${runs} runs`);
await app.stop();
await sock.close();
await emu.close();
