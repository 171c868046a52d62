import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REASON_INPUT, REQUEST_INPUT, REQUEST_MODAL_CALLBACK } from '../../src/adapters/slack/views.ts';
import { ACTIONS, DENY_MODAL_CALLBACK } from '../../src/app/inbound.ts';
import { code, rich } from '../../src/core/rich-text.ts';
import { mintTriggerId } from '../support/slack-contract.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { dmEvent, homeOpenedEvent, mentionEvent } from '../support/slack-payloads.ts';
import {
  sendAction,
  sendCommand,
  sendEvent,
  sendUrlVerification,
  sendViewSubmission,
} from '../support/slack-signing.ts';
import { SIGNING_SECRET, type Started, startApp } from './harness.ts';

const TEAM = 'T0ROLECALL';
let emu: SlackEmulator;
let s: Started;

beforeAll(async () => {
  emu = await startSlackEmulator({ users: [{ id: 'UALICE', name: 'alice' }] });
  s = await startApp(
    { SLACK_BOT_TOKEN: emu.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: emu.apiUrl },
    {
      routes: [
        { method: 'GET', path: '/metrics', handler: (_q, r) => void r.writeHead(200).end('rolecall_up 1\n') },
      ],
    },
  );
});
afterAll(async () => {
  await s?.app.stop();
  await emu?.close();
});

describe('HTTP mode: events', () => {
  it('acks a signed app_mention with 200 before the use case finishes, and hands over the parsed message', async () => {
    s.useCases.hold();
    const res = await sendEvent(
      s.eventsUrl,
      SIGNING_SECRET,
      mentionEvent({
        user: 'UALICE',
        channel: 'C0GENERAL',
        text: '<@UROLECALLBOT> make <@UDANA> admin of billing',
        ts: '1700000000.000100',
      }),
      { teamId: TEAM },
    );
    // The use case is still held here: the 200 did not wait for it.
    expect(res.status).toBe(200);
    const { msg } = await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === res.eventId);
    s.useCases.release();
    expect(msg).toEqual({
      deliveryId: res.eventId,
      source: 'mention',
      teamId: TEAM,
      channelId: 'C0GENERAL',
      isDm: false,
      userId: 'UALICE',
      text: 'make <@UDANA> admin of billing',
      ts: '1700000000.000100',
    });
    expect(s.app.mode).toBe('http');
    expect(emu.callsTo('auth.test')[0]?.auth).toBe('bot');
  });

  it('passes the sender team of a Slack Connect mention and the thread', async () => {
    const res = await sendEvent(
      s.eventsUrl,
      SIGNING_SECRET,
      mentionEvent({
        user: 'UEXT',
        channel: 'C0SHARED',
        text: '<@UROLECALLBOT|rolecall> hi',
        threadTs: '1700000000.000001',
        userTeam: 'T0OTHER',
      }),
    );
    const { msg } = await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === res.eventId);
    expect(msg).toMatchObject({
      userTeamId: 'T0OTHER',
      threadTs: '1700000000.000001',
      text: 'hi',
      teamId: TEAM,
    });
  });

  it('turns a DM into source dm and ignores bot messages and edits', async () => {
    const bot = await sendEvent(
      s.eventsUrl,
      SIGNING_SECRET,
      dmEvent({ user: 'UBOT2', botId: 'B2', channel: 'DALICE', text: 'bot says' }),
    );
    const edit = await sendEvent(
      s.eventsUrl,
      SIGNING_SECRET,
      dmEvent({ user: 'UALICE', subtype: 'message_changed', channel: 'DALICE', text: 'edited' }),
    );
    const real = await sendEvent(
      s.eventsUrl,
      SIGNING_SECRET,
      dmEvent({ user: 'UALICE', channel: 'DALICE', text: 'what roles does carol have?' }),
    );
    expect([bot.status, edit.status, real.status]).toEqual([200, 200, 200]);
    const { msg } = await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === real.eventId);
    expect(msg).toMatchObject({
      source: 'dm',
      channelId: 'DALICE',
      userId: 'UALICE',
      text: 'what roles does carol have?',
    });
    const ids = s.useCases.calls.flatMap((c) => (c.kind === 'handleMessage' ? [c.msg.deliveryId] : []));
    expect(ids).not.toContain(bot.eventId);
    expect(ids).not.toContain(edit.eventId);
  });

  it('hands a Slack retry to the use cases with the same delivery id (de-duplication is theirs)', async () => {
    const event = dmEvent({ user: 'UALICE', channel: 'DALICE', text: 'again' });
    const first = await sendEvent(s.eventsUrl, SIGNING_SECRET, event, { eventId: 'EvRETRY1' });
    const retry = await sendEvent(s.eventsUrl, SIGNING_SECRET, event, { eventId: 'EvRETRY1', retryNum: 1 });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === 'EvRETRY1');
  });

  it('publishes App Home from renderHome when the home tab opens', async () => {
    const res = await sendEvent(s.eventsUrl, SIGNING_SECRET, homeOpenedEvent({ user: 'UALICE' }));
    expect(res.status).toBe(200);
    await s.useCases.next('renderHome', (r) => r.userId === 'UALICE');
    const call = await emu.waitForCall('views.publish', (c) => c.args.user_id === 'UALICE');
    expect(call.response.ok).toBe(true);
    expect(JSON.stringify(call.args.view)).toContain('admin of billing');
  });

  it('keeps serving after a use case fails, and logs the failure', async () => {
    s.useCases.failWith = new Error('boom');
    const bad = await sendEvent(
      s.eventsUrl,
      SIGNING_SECRET,
      dmEvent({ user: 'UALICE', channel: 'DALICE', text: 'fails' }),
    );
    await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === bad.eventId);
    s.useCases.failWith = undefined;
    const good = await sendEvent(
      s.eventsUrl,
      SIGNING_SECRET,
      dmEvent({ user: 'UALICE', channel: 'DALICE', text: 'works' }),
    );
    expect(good.status).toBe(200);
    await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === good.eventId);
    expect(s.lines.some((l) => l.what === 'handleMessage' && l.level === 'error')).toBe(true);
  });
});

describe('HTTP mode: request verification', () => {
  const event = mentionEvent({ user: 'UALICE', channel: 'C0GENERAL', text: '<@UROLECALLBOT> forged' });

  it.each([
    ['a forged signature', { forge: true }],
    ['a stale timestamp', { stale: true }],
    ['no signature', { unsigned: true }],
  ])('answers 401 to %s and calls nothing', async (_name, opts) => {
    const res = await sendEvent(s.eventsUrl, SIGNING_SECRET, event, opts);
    expect(res.status).toBe(401);
    expect(s.useCases.calls.some((c) => c.kind === 'handleMessage' && c.msg.deliveryId === res.eventId)).toBe(
      false,
    );
  });

  it('answers 401 to a forged click', async () => {
    const res = await sendAction(
      s.eventsUrl,
      SIGNING_SECRET,
      { actionId: ACTIONS.approve, value: 'req-forged', userId: 'UALICE' },
      { forge: true },
    );
    expect(res.status).toBe(401);
    expect(s.useCases.calls.some((c) => c.kind === 'handleClick' && c.click.value === 'req-forged')).toBe(
      false,
    );
  });

  it('answers the url_verification challenge', async () => {
    const res = await sendUrlVerification(s.eventsUrl, SIGNING_SECRET, 'challenge-123');
    expect(res.status).toBe(200);
    expect(res.body).toContain('challenge-123');
  });

  it('serves /healthz and caller routes, 404 elsewhere', async () => {
    expect((await fetch(`${s.baseUrl}/healthz`)).status).toBe(200);
    const metrics = await fetch(`${s.baseUrl}/metrics`);
    expect(await metrics.text()).toContain('rolecall_up 1');
    expect((await fetch(`${s.baseUrl}/nope`)).status).toBe(404);
  });
});

describe('HTTP mode: commands, buttons and modals', () => {
  it('acks /rolecall with text and hands it over as source command', async () => {
    s.useCases.hold();
    const res = await sendCommand(s.eventsUrl, SIGNING_SECRET, {
      userId: 'UALICE',
      channelId: 'C0GENERAL',
      text: ' remove bob editor ',
      triggerId: 'trig.cmd1',
    });
    expect(res.status).toBe(200);
    const { msg } = await s.useCases.next(
      'handleMessage',
      (r) => r.msg.deliveryId === `command:${TEAM}:trig.cmd1`,
    );
    s.useCases.release();
    expect(msg).toEqual({
      deliveryId: `command:${TEAM}:trig.cmd1`,
      source: 'command',
      teamId: TEAM,
      channelId: 'C0GENERAL',
      isDm: false,
      userId: 'UALICE',
      text: 'remove bob editor',
      // The command's response_url: how the answer reaches a channel the bot is not in.
      responseUrl: 'http://127.0.0.1:9/commands/response',
    });
  });

  it('opens the request modal for an empty /rolecall, and its submission becomes a message', async () => {
    // A trigger_id as Slack mints it: views.open refuses made-up or expired ones.
    const trig = mintTriggerId();
    const res = await sendCommand(s.eventsUrl, SIGNING_SECRET, {
      userId: 'UALICE',
      channelId: 'C0TEAM',
      text: '',
      triggerId: trig,
      responseUrl: 'http://127.0.0.1:9/commands/modal',
    });
    expect(res.status).toBe(200);
    const open = await emu.waitForCall('views.open', (c) => c.args.trigger_id === trig);
    expect(open.response.ok).toBe(true);
    const view = open.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(REQUEST_MODAL_CALLBACK);
    expect(s.useCases.calls.some((c) => c.kind === 'handleMessage' && c.msg.channelId === 'C0TEAM')).toBe(
      false,
    );

    const sub = await sendViewSubmission(s.eventsUrl, SIGNING_SECRET, {
      callbackId: REQUEST_MODAL_CALLBACK,
      privateMetadata: view.private_metadata,
      values: { [REQUEST_INPUT.block]: { [REQUEST_INPUT.action]: 'make dana admin' } },
      userId: 'UALICE',
      viewId: 'VREQ1',
    });
    expect(sub.status).toBe(200);
    const { msg } = await s.useCases.next('handleMessage', (r) => r.msg.deliveryId === 'view:VREQ1');
    expect(msg).toMatchObject({
      source: 'command',
      channelId: 'C0TEAM',
      userId: 'UALICE',
      text: 'make dana admin',
      teamId: TEAM,
      // The command's response_url rides along in private_metadata (a submission has none).
      responseUrl: 'http://127.0.0.1:9/commands/modal',
    });
  });

  it('acks a confirm click, then calls handleClick with the clicker and message', async () => {
    s.useCases.hold();
    const res = await sendAction(s.eventsUrl, SIGNING_SECRET, {
      actionId: ACTIONS.confirm,
      value: 'req-1',
      userId: 'UALICE',
      channelId: 'C0GENERAL',
      messageTs: '1700000001.000009',
    });
    expect(res.status).toBe(200);
    const { click } = await s.useCases.next('handleClick', (r) => r.click.value === 'req-1');
    s.useCases.release();
    expect(click).toEqual({
      actionId: ACTIONS.confirm,
      value: 'req-1',
      clicker: { userId: 'UALICE', teamId: TEAM },
      channelId: 'C0GENERAL',
      isDm: false,
      messageTs: '1700000001.000009',
      responseUrl: 'http://127.0.0.1:9/actions/response',
    });
  });

  it('replaces the clicked card through response_url with what handleClick answers', async () => {
    s.useCases.spent = { text: rich`Grant ${code('editor')} to Bob`, context: 'Confirmed · Request req-5' };
    try {
      const from = emu.calls.length;
      await sendAction(s.eventsUrl, SIGNING_SECRET, {
        actionId: ACTIONS.confirm,
        value: 'req-5',
        userId: 'UALICE',
        responseUrl: emu.responseUrl,
      });
      const call = await emu.waitForCall('response_url', (c) => emu.calls.indexOf(c) >= from);
      expect(call.args).toMatchObject({ replace_original: true, text: 'Grant `editor` to Bob' });
      expect(JSON.stringify(call.args.blocks)).toContain('Confirmed · Request req-5');
      // An unreachable response_url costs only the replacement: logged, nothing thrown.
      await sendAction(s.eventsUrl, SIGNING_SECRET, {
        actionId: ACTIONS.confirm,
        value: 'req-6',
        userId: 'UALICE',
      });
      await vi.waitFor(() =>
        expect(
          s.lines.some((l) => l.msg === 'could not replace the clicked card' && l.level === 'warn'),
        ).toBe(true),
      );
    } finally {
      s.useCases.spent = undefined;
    }
  });

  it('gives a Slack Connect clicker their own team and strips the repeat suffix of a choice', async () => {
    await sendAction(s.eventsUrl, SIGNING_SECRET, {
      actionId: `${ACTIONS.choose}#2`,
      value: 'req-2:UDANA2',
      userId: 'UEXT',
      userTeamId: 'T0OTHER',
    });
    const { click } = await s.useCases.next('handleClick', (r) => r.click.value === 'req-2:UDANA2');
    expect(click.actionId).toBe(ACTIONS.choose);
    expect(click.clicker).toEqual({ userId: 'UEXT', teamId: 'T0OTHER' });
  });

  it('opens the deny modal on rc_deny, and its submission calls denyRequest with the reason', async () => {
    const res = await sendAction(s.eventsUrl, SIGNING_SECRET, {
      actionId: ACTIONS.deny,
      value: 'req-9',
      userId: 'UALICE',
      triggerId: 'trig.deny',
    });
    expect(res.status).toBe(200);
    const open = await emu.waitForCall('views.open', (c) => c.args.trigger_id === 'trig.deny');
    expect(open.args.view).toMatchObject({ callback_id: DENY_MODAL_CALLBACK, private_metadata: 'req-9' });
    expect(s.useCases.calls.some((c) => c.kind === 'handleClick' && c.click.value === 'req-9')).toBe(false);

    const blank = await sendViewSubmission(s.eventsUrl, SIGNING_SECRET, {
      callbackId: DENY_MODAL_CALLBACK,
      privateMetadata: 'req-9',
      values: { [REASON_INPUT.block]: { [REASON_INPUT.action]: '   ' } },
      userId: 'UALICE',
    });
    expect(JSON.parse(blank.body)).toMatchObject({ response_action: 'errors' });

    const sub = await sendViewSubmission(s.eventsUrl, SIGNING_SECRET, {
      callbackId: DENY_MODAL_CALLBACK,
      privateMetadata: 'req-9',
      values: { [REASON_INPUT.block]: { [REASON_INPUT.action]: 'not during the freeze' } },
      userId: 'UALICE',
    });
    expect(sub.status).toBe(200);
    const deny = await s.useCases.next('denyRequest', (r) => r.requestId === 'req-9');
    expect(deny).toEqual({
      kind: 'denyRequest',
      requestId: 'req-9',
      clicker: { userId: 'UALICE', teamId: TEAM },
      reason: 'not during the freeze',
    });
    expect(s.useCases.calls.filter((c) => c.kind === 'denyRequest' && c.requestId === 'req-9')).toHaveLength(
      1,
    );
  });
});
