import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UseCases } from '../../src/app/inbound.ts';
import type { Chat } from '../../src/ports/chat.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { startSlackTestApp } from '../support/slack-harness.ts';
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

describe('useCases factory', () => {
  it("hands the app's Chat to the factory, and replies go through it to Slack", async () => {
    let given: Chat | undefined;
    const factory = (chat: Chat): UseCases => {
      given = chat;
      return {
        handleMessage: async (m) => void (await chat.post(m.channelId, { text: `echo: ${m.text}` })),
        handleClick: async () => {},
        denyRequest: async () => {},
        renderHome: async () => ({ sections: [] }),
      };
    };
    const s = await startSlackTestApp(factory, {
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: emu.apiUrl,
    });
    try {
      expect(given).toBe(s.app.chat);
      await sendEvent(
        s.eventsUrl,
        SIGNING_SECRET,
        dmEvent({ user: 'UALICE', channel: 'DALICE', text: 'ping' }),
      );
      const post = await emu.waitForCall('chat.postMessage', (c) => c.args.channel === 'DALICE');
      expect(post.args.text).toBe('echo: ping');
    } finally {
      await s.app.stop();
    }
  });
});
