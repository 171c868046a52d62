import { describe, expect, it } from 'vitest';
import { FORM_CALLBACK, FORM_FIELDS } from '../../src/adapters/slack/request-form.ts';
import { useE2E } from '../support/e2e-suite.ts';
import { viewSubmissionPayload } from '../support/slack-payloads.ts';
import { buttons, type E2E, NOBOT, TEAM } from './harness.ts';

/**
 * Issue 16 §2: `/rolecall <text>` that is not understood opens the pre-filled request form at once
 * with the command's trigger_id ("Loading…", then views.update), and offers the button only when the
 * trigger cannot be used (rate-limited, expired: Slack's 3 s, enforced by the emulator).
 */
describe.each(['http', 'socket'] as const)('/rolecall not understood opens the form (%s)', (mode) => {
  let e: E2E;
  useE2E({ mode }, (started) => (e = started), { noFlagged: true });

  const since = (from: number, method: string) =>
    e.slack.callsTo(method).filter((x) => e.slack.calls.indexOf(x) >= from);

  it('opens the modal pre-filled, with no button message; the submission is answered through the command’s URL', async () => {
    await e.settled();
    const from = e.slack.calls.length;
    expect(await e.command('alice', 'make zed.nobody@acme.test an editor for 2 hours', NOBOT)).toBe(200);
    const open = await e.slack.waitForCall('views.open', (x) => e.slack.calls.indexOf(x) >= from);
    expect(open.response.ok).toBe(true);
    expect(JSON.stringify(open.args.view)).toContain('Loading the request form');
    const update = await e.slack.waitForCall('views.update', (x) => e.slack.calls.indexOf(x) >= from);
    expect(update.response.ok).toBe(true);
    const view = update.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(FORM_CALLBACK);
    const shown = JSON.stringify(view);
    // What was understood is filled in; the person not found is named for the picker.
    expect(shown).toContain("I couldn't find that person");
    expect(shown).toContain('You wrote “zed.nobody@acme.test”');
    expect(shown).toContain('"initial_option":{"text":{"type":"plain_text","text":"editor"');
    expect(shown).toContain('"initial_option":{"text":{"type":"plain_text","text":"2h"');
    await e.settled();
    // One answer only: the form. No "Open the request form" button anywhere.
    const answers = [...since(from, 'response_url'), ...since(from, 'chat.postMessage')];
    expect(answers.map((c) => String(c.args.text))).toEqual([]);

    const payload = viewSubmissionPayload({
      callbackId: FORM_CALLBACK,
      privateMetadata: view.private_metadata,
      values: {},
      userId: 'U0ALICE',
      teamId: TEAM,
    }) as { view: { state: { values: Record<string, unknown> } } };
    payload.view.state.values = {
      [FORM_FIELDS.who.block]: {
        [FORM_FIELDS.who.action]: { type: 'users_select', selected_user: 'U0DANA2' },
      },
      [FORM_FIELDS.role.block]: {
        [FORM_FIELDS.role.action]: { type: 'static_select', selected_option: { value: 'editor' } },
      },
      [FORM_FIELDS.duration.block]: {
        [FORM_FIELDS.duration.action]: { type: 'static_select', selected_option: { value: '7200000' } },
      },
    };
    expect(await e.interaction(payload)).toBe(200);
    const card = await e.replyTo('alice', /\?$/, from);
    expect(buttons(card.blocks).map((b) => b.actionId)).toContain('rc_confirm');
    await e.settled();
    // The bot is not in NOBOT: the card came through the command's response_url, not the channel.
    expect(e.slack.calls.slice(from).filter((x) => x.args.channel === NOBOT)).toEqual([]);
  });

  it('a message Rolecall understands opens no form', async () => {
    await e.settled();
    const from = e.slack.calls.length;
    expect(await e.command('alice', 'make <@U0DANA2> an editor', NOBOT)).toBe(200);
    await e.replyTo('alice', /\?$/, from);
    await e.settled();
    expect(since(from, 'views.open')).toEqual([]);
  });

  it('falls back to the button when Slack will not open the form (rate-limited: the trigger is not retried)', async () => {
    await e.settled();
    e.slack.setRateLimit('views.open', 1, 4);
    const from = e.slack.calls.length;
    expect(await e.command('alice', 'make <@U0DANA2> a wizard for 2 hours', NOBOT)).toBe(200);
    const r = await e.replyTo('alice', /I don't know that role/, from);
    expect(buttons(r.blocks).map((b) => b.actionId)).toEqual(['rc_form']);
    await e.settled();
    expect(since(from, 'views.open')).toHaveLength(1);
    expect(since(from, 'views.update')).toEqual([]);
  });

  // Last: it moves the emulator's clock on, which ages every later trigger too.
  it('falls back to the button when the trigger has expired (older than 3 s)', async () => {
    await e.settled();
    e.slack.advanceTime(3_100);
    const from = e.slack.calls.length;
    expect(await e.command('alice', 'blorp <@U0DANA2> zzz', NOBOT)).toBe(200);
    const r = await e.replyTo('alice', /request form/, from);
    expect(buttons(r.blocks).map((b) => b.actionId)).toEqual(['rc_form']);
    await e.settled();
    const open = since(from, 'views.open');
    expect(open.map((c) => c.response.error)).toEqual(['expired_trigger_id']);
  });
});
