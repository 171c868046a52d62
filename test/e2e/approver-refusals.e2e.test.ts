import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, buttons, type E2E, type PEOPLE, startE2E } from './harness.ts';

/**
 * Issue 16 §2: every approver-side refusal says who could help, in that one message. Insiders are
 * told the roles that approve the request (roles, never people); outsiders learn none of the
 * organisation's roles, only the requester, whom the approval message already shows.
 */
describe('approver refusals say who could help (http)', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E();
  });
  afterAll(async () => {
    await e?.close();
  });

  /** A request confirmed by `who`, now waiting in the approvals channel. */
  async function pending(who: keyof typeof PEOPLE, text: string, asked: RegExp): Promise<string> {
    await e.settled();
    const from = e.slack.calls.length;
    await e.say(who, text);
    const c = await e.replyTo(who, /\?$/, from);
    const id = buttons(c.blocks).find((b) => b.actionId === 'rc_confirm')!.value;
    await e.click(who, 'rc_confirm', id);
    await e.waitPost(APPROVALS, asked);
    await e.settled();
    return id;
  }

  /** The one answer `who` got after `from`: its text and what its blocks say. */
  async function refusal(who: keyof typeof PEOPLE, match: RegExp, from: number) {
    const r = await e.replyTo(who, match, from);
    await e.settled();
    // One message per refusal: the refusal and who could help are not two posts.
    const answers = e.slack.calls
      .slice(from)
      .filter((c) => ['chat.postEphemeral', 'response_url', 'chat.postMessage'].includes(c.method));
    expect(answers.map((c) => String(c.args.text))).toEqual([r.text]);
    return JSON.stringify(r.blocks);
  }

  it('self-approval names the roles that approve it', async () => {
    const id = await pending('olga', 'make <@U0BOB> an owner', /grant `owner` for <@U0BOB>/);
    const from = e.slack.calls.length;
    await e.click('olga', 'rc_approve', id, APPROVALS);
    const said = await refusal('olga', /can't approve your own request/, from);
    expect(said).toContain('Who could help: someone holding `owner` here.');
  });

  it('someone without an approver role is told who approves this request', async () => {
    const id = await pending('alice', 'make <@U0DANA2> an admin for 1h', /grant `admin` for <@U0DANA2>/);
    const from = e.slack.calls.length;
    await e.click('erin', 'rc_approve', id, APPROVALS);
    const said = await refusal('erin', /don't hold an approver role/, from);
    expect(said).toContain('Who could help: someone holding `owner` here.');
    expect((await e.app.stores.requests.get(id))?.state).toBe('awaiting_approval');
  });

  it('a second click by the same approver says another approver is needed, and who', async () => {
    const id = await pending('olga', 'make <@U0ERIN> an owner', /grant `owner` for <@U0ERIN>/);
    await e.click('oscar', 'rc_approve', id, APPROVALS);
    await e.settled();
    const from = e.slack.calls.length;
    await e.click('oscar', 'rc_approve', id, APPROVALS);
    const said = await refusal('oscar', /already approved this request/, from);
    expect(said).toContain('Who could help: someone holding `owner` here.');
  });

  it.each([
    ['stranger', /only take requests from members/],
    ['mallory', /only take requests from members/],
  ] as const)(
    'an outsider (%s) is pointed at the requester, never at the organisation’s roles',
    async (who, match) => {
      const id = await pending('alice', 'make <@U0DANA1> an admin for 1h', /grant `admin` for <@U0DANA1>/);
      const from = e.slack.calls.length;
      await e.click(who, 'rc_approve', id, APPROVALS);
      const said = await refusal(who, match, from);
      expect(said).toContain('Who could help: <@U0ALICE>, who asked, or an approver in their organisation.');
      expect(said).not.toMatch(/`(owner|admin)`/);
    },
  );

  it('a deny by the requester is refused the same way', async () => {
    const id = await pending('olga', 'make <@U0DANA2> an owner', /grant `owner` for <@U0DANA2>/);
    const from = e.slack.calls.length;
    expect(await e.submitDeny('olga', id, 'changed my mind')).toBe(200);
    const said = await refusal('olga', /can't approve your own request/, from);
    expect(said).toContain('Who could help: someone holding `owner` here.');
  });
});
