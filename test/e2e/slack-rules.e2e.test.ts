import { describe, expect, it } from 'vitest';
import { askForCard, useE2E } from '../support/e2e-suite.ts';
import { blockActionPayload, homeOpenedEvent } from '../support/slack-payloads.ts';
import { APPROVALS, buttons, type E2E, GENERAL, type PEOPLE, TEAM } from './harness.ts';

/** Issue 14's remaining items, each against the emulator's Slack rules, in both delivery modes. */
describe.each(['http', 'socket'] as const)('Slack rules (%s)', (mode) => {
  let e: E2E;
  useE2E({ mode }, (started) => (e = started), { noFlagged: true });

  const card = (who: keyof typeof PEOPLE, text: string) => askForCard(e, who, text);

  it('item 2: /rolecall in a DM between two people is answered through response_url, the outcome by DM', async () => {
    await e.settled();
    const from = e.slack.calls.length;
    expect(await e.command('alice', 'make <@U0BOB> an editor', 'DALICEBOB')).toBe(200);
    const c = await e.replyTo('alice', /\?$/, from);
    await e.click(
      'alice',
      'rc_confirm',
      buttons(c.blocks).find((b) => b.actionId === 'rc_confirm')!.value,
      'DALICEBOB',
    );
    const done = await e.waitPost(e.slack.dmChannel('U0ALICE'), /Done: granted `editor` to Bob Builder/);
    expect(done.response.ok).toBe(true);
    await e.settled();
    expect(e.slack.calls.slice(from).filter((x) => x.args.channel === 'DALICEBOB')).toEqual([]);
  });

  it('item 5: the outcome goes by DM when the origin channel refuses it (archived meanwhile)', async () => {
    const c = await card('alice', 'make <@U0DANA2> an editor');
    const general = e.slack.channels.get(GENERAL)!;
    general.isArchived = true;
    try {
      await e.click('alice', 'rc_confirm', c.requestId!);
      const dm = await e.waitPost(e.slack.dmChannel('U0ALICE'), /Done: granted `editor` to Dana Kim/);
      expect(dm.response.ok).toBe(true);
      const refused = e.slack.calls.find(
        (x) =>
          x.method === 'chat.postMessage' && x.args.channel === GENERAL && x.response.error === 'is_archived',
      );
      expect(refused).toBeDefined();
    } finally {
      general.isArchived = false;
    }
  });

  it('item 6: a thread_broadcast and a message with a file are read, and the file is said to be unread', async () => {
    const from = e.slack.calls.length;
    await e.say('alice', 'what roles does <@U0BOB> have?', { dm: true, subtype: 'thread_broadcast' });
    await e.replyTo('alice', /viewer/, from);
    const from2 = e.slack.calls.length;
    await e.say('alice', 'what roles does <@U0ERIN> have?', { dm: true, subtype: 'file_share', files: 1 });
    await e.replyTo('alice', /not the attached file/, from2);
    await e.replyTo('alice', /editor/, from2);
  });

  it('item 9: a click on an action id nobody listens to is acknowledged', async () => {
    const payload = blockActionPayload({
      actionId: 'rc_from_an_older_version',
      value: 'x',
      userId: 'U0ALICE',
      teamId: TEAM,
      channelId: GENERAL,
      responseUrl: e.responseUrlFor('alice'),
    });
    expect(await e.interaction(payload)).toBe(200);
  });

  it('item 10: views.open is not retried past the trigger’s 3 s; the person is answered in a message', async () => {
    e.slack.setRateLimit('views.open', 1, 4);
    const from = e.slack.calls.length;
    expect(await e.command('alice', '', GENERAL)).toBe(200);
    await e.replyTo('alice', /too slow to open the form/, from);
    await e.settled();
    expect(e.slack.callsTo('views.open').filter((x) => e.slack.calls.indexOf(x) >= from)).toHaveLength(1);
  });

  it('item 10: the deny form that does not open in time is answered with a message too', async () => {
    e.slack.setRateLimit('views.open', 1, 4);
    const from = e.slack.calls.length;
    expect(await e.click('olga', 'rc_deny', 'RC-ANY', APPROVALS)).toBe(200);
    await e.replyTo('olga', /click Deny again/, from);
    await e.settled();
    expect(e.slack.callsTo('views.open').filter((x) => e.slack.calls.indexOf(x) >= from)).toHaveLength(1);
  });

  it('item 11: a target named by email is found in Slack, told, and sees the grant in App Home', async () => {
    const c = await card('alice', 'make dana.lee@acme.test a viewer for 2 hours');
    await e.click('alice', 'rc_confirm', c.requestId!);
    const notice = await e.waitPost(
      e.slack.dmChannel('U0DANA1'),
      /FYI: you were given the `viewer` role until/,
    );
    expect(notice.response.ok).toBe(true);
    expect((await e.app.stores.requests.get(c.requestId!))?.target.slackUserId).toBe('U0DANA1');
    const from = e.slack.calls.length;
    await e.event(homeOpenedEvent({ user: 'U0DANA1' }));
    const home = await e.slack.waitForCall('views.publish', (x) => e.slack.calls.indexOf(x) >= from);
    expect(JSON.stringify(home.args.view)).toMatch(/`viewer` until <!date\^\d+\^/);
  });

  it('item 12: App Home shows Slack date tokens, not raw ISO times', async () => {
    const from = e.slack.calls.length;
    await e.event(homeOpenedEvent({ user: 'U0ALICE' }));
    const home = await e.slack.waitForCall('views.publish', (x) => e.slack.calls.indexOf(x) >= from);
    const text = JSON.stringify(home.args.view);
    expect(text).toMatch(/<!date\^\d+\^/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
  });
});

describe.each(['http', 'socket'] as const)('item 7: readiness follows the bot’s auth (%s)', (mode) => {
  let e: E2E;
  useE2E({ mode }, (started) => (e = started));

  it('turns 503 on tokens_revoked, and is ready again after a restart with a working token', async () => {
    expect((await e.readyz()).status).toBe(200);
    await e.event({ type: 'tokens_revoked', tokens: { oauth: [], bot: [e.slack.botUserId] } });
    await e.settled();
    expect(await e.readyz()).toEqual({ status: 503, body: { ok: false, store: true, slack: false } });
    await e.restart();
    expect((await e.readyz()).status).toBe(200);
  });

  it('turns 503 once Slack answers token_revoked to a call', async () => {
    e.slack.revoke('token_revoked');
    await e.say('alice', 'what roles does <@U0BOB> have?');
    await e.settled();
    expect((await e.readyz()).status).toBe(503);
  });
});
