import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_MODAL_CALLBACK } from '../../src/adapters/slack/views.ts';
import { ACTIONS } from '../../src/app/inbound.ts';
import { isRolecallError } from '../../src/core/errors.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { blockActionPayload, mentionEvent } from '../support/slack-payloads.ts';
import { type SocketModeServer, startSocketModeServer } from '../support/socket-mode-server.ts';
import { type Started, startApp } from './harness.ts';

let emu: SlackEmulator;
let sock: SocketModeServer;
let s: Started;

beforeAll(async () => {
  sock = await startSocketModeServer();
  emu = await startSlackEmulator({ users: [{ id: 'UALICE', name: 'alice' }], socketUrl: sock.url });
  s = await startApp({
    SLACK_BOT_TOKEN: emu.botToken,
    SLACK_APP_TOKEN: emu.appToken,
    SLACK_API_URL: emu.apiUrl,
  });
});
afterAll(async () => {
  await s?.app.stop();
  await sock?.close();
  await emu?.close();
});

describe('Socket Mode', () => {
  it('opens the connection with the app token and is connected once start() resolves', async () => {
    expect(s.app.mode).toBe('socket');
    expect(sock.connections).toBe(1);
    const open = emu.callsTo('apps.connections.open');
    expect(open.map((c) => c.auth)).toEqual(['app']);
    expect(emu.callsTo('auth.test')[0]?.auth).toBe('bot');
  });

  it('acks an events_api envelope and dispatches the mention', async () => {
    s.useCases.hold();
    const { envelopeId, eventId } = sock.pushEvent(
      mentionEvent({ user: 'UALICE', channel: 'C0GENERAL', text: '<@UROLECALLBOT> who has admin?' }),
    );
    // Held use case: the ack still arrives.
    await sock.waitForAck(envelopeId);
    const { msg } = await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === eventId);
    s.useCases.release();
    expect(msg).toMatchObject({
      source: 'mention',
      userId: 'UALICE',
      channelId: 'C0GENERAL',
      text: 'who has admin?',
    });
  });

  it('acks an interactive envelope and calls handleClick', async () => {
    const envelopeId = sock.pushInteractive(
      blockActionPayload({ actionId: ACTIONS.approve, value: 'req-s1', userId: 'UALICE' }),
    );
    await sock.waitForAck(envelopeId);
    const { click } = await s.useCases.next('handleClick', (r) => r.click.value === 'req-s1');
    expect(click).toMatchObject({
      actionId: ACTIONS.approve,
      clicker: { userId: 'UALICE', teamId: 'T0ROLECALL' },
    });
  });

  it('acks an empty slash command and opens the request modal', async () => {
    const envelopeId = sock.pushSlashCommand({
      userId: 'UALICE',
      channelId: 'C0GENERAL',
      triggerId: 'trig.sock',
    });
    await sock.waitForAck(envelopeId);
    const open = await emu.waitForCall('views.open', (c) => c.args.trigger_id === 'trig.sock');
    expect(open.args.view).toMatchObject({ callback_id: REQUEST_MODAL_CALLBACK });
  });

  it('serves /healthz over HTTP on PORT while connected over the socket', async () => {
    const res = await fetch(`${s.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect((await fetch(`${s.baseUrl}/slack/events`, { method: 'POST' })).status).toBe(404);
  });

  it('reconnects when Slack asks it to (connection refresh) and keeps dispatching', async () => {
    sock.sendDisconnect('refresh_requested');
    // The Socket Mode client waits its ping timeout (5 s) before reconnecting.
    await sock.waitForConnection(2);
    expect(emu.callsTo('apps.connections.open')).toHaveLength(2);
    const { envelopeId, eventId } = sock.pushEvent(
      mentionEvent({ user: 'UALICE', channel: 'C0GENERAL', text: '<@UROLECALLBOT> still there?' }),
    );
    await sock.waitForAck(envelopeId);
    await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === eventId);
  });

  it('stop() closes the socket and the HTTP server', async () => {
    const port = s.app.port;
    await s.app.stop();
    await sock.waitForNoConnections();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});

describe('Socket Mode start failures', () => {
  it('names SLACK_APP_TOKEN when Slack rejects the app token', async () => {
    const emu2 = await startSlackEmulator({ socketUrl: 'ws://127.0.0.1:9/unused' });
    try {
      const err = await startApp({
        SLACK_BOT_TOKEN: emu2.botToken,
        SLACK_APP_TOKEN: 'xapp-wrong',
        SLACK_API_URL: emu2.apiUrl,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isRolecallError(err, 'CONFIG.INVALID')).toBe(true);
      expect((err as Error).message).toBe('SLACK_APP_TOKEN: rejected by Slack (invalid_auth)');
    } finally {
      await emu2.close();
    }
  });
});
