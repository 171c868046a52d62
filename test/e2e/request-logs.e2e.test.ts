import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../support/slack-harness.ts';
import { APPROVALS, buttons, type E2E, GENERAL, startE2E } from './harness.ts';

/**
 * Every log line written while a request is handled — by the use cases, the SCIM client and the
 * Slack Web API client alike — carries requestId, tenant, requesterId and targetId. Captured at
 * debug level from the whole bot during a real request, approval and apply.
 */
let e: E2E;
const captured = captureLogger('debug');
beforeAll(async () => {
  e = await startE2E({ logger: captured.logger });
});
afterAll(async () => {
  await e?.close();
});

type Line = Record<string, unknown>;
/**
 * Bolt acks each delivery and makes a WebClient for it ("initialized") before any use case runs:
 * those lines belong to no request yet.
 */
const beforeUseCase = (l: Line) =>
  l.component === 'bolt' && (String(l.msg).startsWith('ack()') || l.msg === 'initialized');
const since = (n: number) => captured.lines.slice(n).filter((l) => !beforeUseCase(l));

describe('request fields on every log line', () => {
  it('carries them through the request, the confirmation, the approval and the SCIM change', async () => {
    // The message: the sender and tenant from the first line, the request once it exists.
    const atSay = captured.lines.length;
    const from = e.slack.calls.length;
    await e.say('alice', 'make <@U0ERIN> an admin for 2 hours');
    const card = await e.replyTo('alice', /Grant `admin`/, from);
    const requestId = buttons(card.blocks).find((b) => b.actionId === 'rc_confirm')!.value;
    const message = since(atSay);
    expect(message.length).toBeGreaterThan(10);
    for (const l of message) expect(l).toMatchObject({ tenant: 'acme', requesterId: 'U0ALICE' });
    const first = message.findIndex((l) => l.requestId === requestId);
    expect(first).toBeGreaterThan(0);
    for (const l of message.slice(first))
      expect(l).toMatchObject({ requestId, tenant: 'acme', requesterId: 'U0ALICE', targetId: 'U0ERIN' });
    expect(message.slice(first).some((l) => String(l.msg).includes("apiCall('chat.postEphemeral')"))).toBe(
      true,
    );

    // The confirmation and the approval: every line, including the SCIM adapter's.
    const atConfirm = captured.lines.length;
    await e.click('alice', 'rc_confirm', requestId);
    await e.waitPost(APPROVALS, /grant `admin` for <@U0ERIN>/);
    const atApprove = captured.lines.length;
    await e.click('olga', 'rc_approve', requestId, APPROVALS);
    await e.waitPost(GENERAL, /Done: granted `admin` to Erin Editor until/);
    const handling = since(atConfirm);
    expect(handling.length).toBeGreaterThan(20);
    for (const l of handling)
      expect(l).toMatchObject({ requestId, tenant: 'acme', requesterId: 'U0ALICE', targetId: 'U0ERIN' });
    // The confirmation's last lines may trail into the approval's window; each says whose click it was.
    for (const l of since(atApprove)) expect(['U0ALICE', 'U0OLGA']).toContain(l.actorId);
    const approval = since(atApprove).filter((l) => l.actorId === 'U0OLGA');
    const change = approval.find((l) => l.msg === 'SCIM role changed');
    expect(change).toMatchObject({ component: 'scim', requestId, targetId: 'U0ERIN', level: 'info' });
  });

  it('keeps two requests handled at the same time apart', async () => {
    const at = captured.lines.length;
    const from = e.slack.calls.length;
    await Promise.all([
      e.say('alice', 'make <@U0BOB> an editor'),
      e.say('olga', 'make <@U0DANA2> an editor'),
    ]);
    const a = await e.replyTo('alice', /Grant `editor` to Bob/, from);
    const o = await e.replyTo('olga', /Grant `editor` to Dana Kim/, from);
    const idA = buttons(a.blocks).find((b) => b.actionId === 'rc_confirm')!.value;
    const idO = buttons(o.blocks).find((b) => b.actionId === 'rc_confirm')!.value;
    const lines = since(at);
    const ofA = lines.filter((l) => l.requestId === idA);
    const ofO = lines.filter((l) => l.requestId === idO);
    expect(ofA.length).toBeGreaterThan(0);
    expect(ofO.length).toBeGreaterThan(0);
    for (const l of ofA) expect(l).toMatchObject({ requesterId: 'U0ALICE', targetId: 'U0BOB' });
    for (const l of ofO) expect(l).toMatchObject({ requesterId: 'U0OLGA', targetId: 'U0DANA2' });
  });

  it('carries them through scheduled work: the end of a time-bound grant', async () => {
    const from = e.slack.calls.length;
    await e.say('alice', 'make <@U0BOB> an editor for 1 hour');
    const card = await e.replyTo('alice', /Grant `editor` to Bob/, from);
    const requestId = buttons(card.blocks).find((b) => b.actionId === 'rc_confirm')!.value;
    await e.click('alice', 'rc_confirm', requestId);
    await e.waitPost(GENERAL, /Done: granted `editor` to Bob Builder until/);
    e.clock.advance(60 * 60_000);
    const at = captured.lines.length;
    await e.app.tick();
    // The same tick also expires the earlier tests' unconfirmed cards (their audit checkpoints log
    // under their own ids): this grant's lines, and every SCIM call, must carry this grant's fields.
    const lines = since(at).filter((l) => l.requestId === requestId || l.component === 'scim');
    expect(lines.some((l) => l.component === 'scim')).toBe(true);
    for (const l of lines)
      expect(l).toMatchObject({ requestId, tenant: 'acme', requesterId: 'U0ALICE', targetId: 'U0BOB' });
  });
});
