import { describe, expect, it } from 'vitest';
import { askForCard, useE2E } from '../support/e2e-suite.ts';
import { APPROVALS, buttons, type E2E, GENERAL, NOBOT, type PEOPLE } from './harness.ts';

/**
 * The main flows against the emulator that enforces Slack's delivery contract, in both delivery
 * modes: a mention in a channel, a DM, /rolecall in a channel the bot is not in, an approval, a
 * deny, and a failure (the approvers' channel cannot be posted in). After every flow nothing the
 * bot sent may be something Slack would accept but not show (flagged calls).
 */
describe.each(['http', 'socket'] as const)('main flows on real Slack rules (%s)', (mode) => {
  let e: E2E;
  useE2E({ mode }, (started) => (e = started), { noFlagged: true });

  const card = (who: keyof typeof PEOPLE, text: string, where: { dm?: boolean } = {}) =>
    askForCard(e, who, text, where);

  it('mention in a channel: the card is seen (no thread that does not exist), the outcome lands in the mention’s thread', async () => {
    const c = await card('alice', 'make <@U0DANA1> an editor');
    const ephemeral = e.slack.calls
      .slice(c.from)
      .find((x) => x.method === 'chat.postEphemeral' && x.args.user === 'U0ALICE');
    expect(ephemeral?.args.thread_ts).toBeUndefined();
    await e.click('alice', 'rc_confirm', c.requestId!);
    const done = await e.waitPost(GENERAL, /Done: granted `editor` to Dana Lee/);
    expect(done.args.thread_ts).toBe(c.said.ts);
    expect(await e.members('Editors')).toContain(e.scimId('dana1'));
  });

  it('DM: the card and the outcome stay in the DM', async () => {
    const c = await card('alice', 'make <@U0ERIN> a viewer', { dm: true });
    await e.click('alice', 'rc_confirm', c.requestId!, e.slack.dmChannel('U0ALICE'));
    const done = await e.waitPost(e.slack.dmChannel('U0ALICE'), /Done: granted `viewer` to Erin Editor/);
    expect(done.response.ok).toBe(true);
  });

  it('/rolecall in a channel without the bot: answered through response_url, the outcome by DM, nothing in the channel', async () => {
    await e.settled();
    const from = e.slack.calls.length;
    expect(await e.command('alice', 'make <@U0DANA2> an editor', NOBOT)).toBe(200);
    const c = await e.replyTo('alice', /\?$/, from);
    const requestId = buttons(c.blocks).find((b) => b.actionId === 'rc_confirm')!.value;
    await e.click('alice', 'rc_confirm', requestId, NOBOT);
    await e.replyTo('alice', /Done: granted `editor` to Dana Kim/, from);
    await e.settled();
    const inChannel = e.slack.calls
      .slice(from)
      .filter((x) => x.args.channel === NOBOT && x.method.startsWith('chat.'));
    // Every attempt in the channel would fail (not_in_channel): none was made.
    expect(inChannel).toEqual([]);
    const dm = e.slack.calls
      .slice(from)
      .find((x) => x.method === 'chat.postMessage' && x.response.channel === e.slack.dmChannel('U0ALICE'));
    expect(String(dm?.args.text)).toMatch(/Done: granted `editor` to Dana Kim/);
  });

  it('approval: approvers asked, outcome in the thread, approval status with a Slack date, requester’s card updated', async () => {
    const c = await card('alice', 'make <@U0ERIN> an admin for 2 hours');
    await e.click('alice', 'rc_confirm', c.requestId!);
    await e.waitPost(APPROVALS, /asks to grant `admin` for <@U0ERIN>/);
    await e.replyTo('alice', /Sent for approval/, c.from);
    await e.settled();
    const before = e.slack.calls.length;
    await e.click('olga', 'rc_approve', c.requestId!, APPROVALS);
    await e.waitPost(GENERAL, /Done: granted `admin` to Erin Editor until/);
    const update = await e.slack.waitForCall('chat.update', (x) => e.slack.calls.indexOf(x) >= before);
    expect(JSON.stringify(update.args.blocks)).toMatch(/Approved and applied by <@U0OLGA> · <!date\^\d+\^/);
    // The requester's "waiting for approval" card now says what became of it.
    const card2 = await e.slack.waitForCall(
      'response_url',
      (x) => e.slack.calls.indexOf(x) >= before && x.args.replace_original === true,
    );
    expect(JSON.stringify(card2.args.blocks)).toContain(`Confirmed · done · Request ${c.requestId}`);
  });

  it('deny: the reason reaches the requester in the thread; the approval message shows who and when', async () => {
    const c = await card('alice', 'make <@U0DANA1> an admin for 1h');
    await e.click('alice', 'rc_confirm', c.requestId!);
    await e.waitPost(APPROVALS, /asks to grant `admin` for <@U0DANA1>/);
    await e.click('olga', 'rc_deny', c.requestId!, APPROVALS);
    const open = await e.slack.waitForCall('views.open', (x) => e.slack.calls.indexOf(x) >= c.from);
    expect(open.response.ok).toBe(true);
    expect(await e.submitDeny('olga', c.requestId!, 'not during the freeze')).toBe(200);
    const told = await e.waitPost(GENERAL, /was denied: “not during the freeze”/);
    expect(told.args.thread_ts).toBe(c.said.ts);
    const update = await e.slack.waitForCall('chat.update', (x) =>
      /Denied/.test(JSON.stringify(x.args.blocks)),
    );
    expect(JSON.stringify(update.args.blocks)).toMatch(
      /Denied: “not during the freeze” by <@U0OLGA> · <!date\^/,
    );
  });

  it('failure: the approvers’ channel refuses the post, and the requester is told so, with audit and metrics', async () => {
    const approvals = e.slack.channels.get(APPROVALS)!;
    approvals.botMember = false;
    try {
      const c = await card('alice', 'make <@U0BOB> an admin for 1h');
      await e.click('alice', 'rc_confirm', c.requestId!);
      const told = await e.replyTo('alice', /Not sent for approval yet/, c.from);
      expect(told.text).toContain('not_in_channel');
      expect(told.text).not.toMatch(/Sent for approval\./);
      expect(told.text).toContain('no approver has been asked');
      const audit = await e.app.stores.audit.query({ requestId: c.requestId });
      const asked = audit.find((a) => a.kind === 'approval_requested');
      expect(asked?.outcome).toBe('not_posted');
      expect(asked?.note).toBe(`not posted to ${APPROVALS}: not_in_channel`);
      const metrics = await (await fetch(`http://127.0.0.1:${e.app.slack.port}/metrics`)).text();
      expect(metrics).toMatch(
        /rolecall_slack_delivery_failures_total\{what="approval request",reason="not_in_channel"\} 1/,
      );
      // Checked at start-up too: a restart names the channel the bot cannot post in.
      await e.restart();
      expect(e.app.slack.approvalChannelProblems).toEqual([{ channel: APPROVALS, reason: 'not_in_channel' }]);
    } finally {
      approvals.botMember = true;
    }
  });
});
