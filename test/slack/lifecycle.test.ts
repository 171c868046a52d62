import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { dmEvent } from '../support/slack-payloads.ts';
import { sendEvent } from '../support/slack-signing.ts';
import { SIGNING_SECRET, startApp } from './harness.ts';

let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startSlackEmulator();
});
afterAll(async () => emu?.close());

describe('stop()', () => {
  it('waits for accepted use cases, bounded by drainTimeoutMs, and says what it left running', async () => {
    const s = await startApp(
      { SLACK_BOT_TOKEN: emu.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: emu.apiUrl },
      { drainTimeoutMs: 50 },
    );
    s.useCases.hold();
    const res = await sendEvent(
      s.eventsUrl,
      SIGNING_SECRET,
      dmEvent({ user: 'UALICE', channel: 'DALICE', text: 'slow' }),
    );
    await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === res.eventId);
    await s.app.stop();
    expect(s.lines.some((l) => l.msg === 'stopped with use cases still running' && l.pending === 1)).toBe(
      true,
    );
    s.useCases.release();
    await expect(fetch(`${s.baseUrl}/healthz`)).rejects.toThrow();
  });

  it('finishes without a warning when nothing is running', async () => {
    const s = await startApp({
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: emu.apiUrl,
    });
    await s.app.stop();
    await s.app.stop();
    expect(s.lines.some((l) => l.msg === 'stopped with use cases still running')).toBe(false);
  });
});
