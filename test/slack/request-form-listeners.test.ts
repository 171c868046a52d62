import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_CALLBACK, FORM_FIELDS } from '../../src/adapters/slack/request-form.ts';
import { FORM_ACTION, type FormSubmission, type RequestForm } from '../../src/app/request-form.ts';
import { mintTriggerId } from '../support/slack-contract.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { type StartedSlackApp, startSlackTestApp } from '../support/slack-harness.ts';
import { viewSubmissionPayload } from '../support/slack-payloads.ts';
import { sendAction, sendInteraction } from '../support/slack-signing.ts';
import { SIGNING_SECRET } from './harness.ts';
import { recordingUseCases } from './recording-use-cases.ts';

/**
 * Issue 16 in Slack: "Open the request form" opens a modal with the click's trigger_id (a loading
 * view at once, filled by views.update), and its submission reaches submitRequestForm.
 */
const TEAM = 'T0ROLECALL';
const form: RequestForm = {
  prefill: { channelId: 'C0GENERAL', threadTs: '1700000000.000100', role: 'editor', durationMs: 3_600_000 },
  roles: [{ name: 'viewer' }, { name: 'editor' }],
  durations: [{ label: '1h', ms: 3_600_000 }],
};
let emu: SlackEmulator;
let s: StartedSlackApp;
const opened: unknown[] = [];
let onSubmit: (s: FormSubmission) => void = () => {};
const submitted = new Promise<FormSubmission>((resolve) => {
  onSubmit = resolve;
});

beforeAll(async () => {
  emu = await startSlackEmulator({ users: [{ id: 'UALICE', name: 'alice' }] });
  const useCases = Object.assign(recordingUseCases(), {
    openRequestForm: async (click: unknown) => {
      opened.push(click);
      return form;
    },
    submitRequestForm: async (sub: FormSubmission) => onSubmit(sub),
  });
  s = await startSlackTestApp(useCases, {
    SLACK_BOT_TOKEN: emu.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: emu.apiUrl,
  });
});
afterAll(async () => {
  await s?.app.stop();
  await emu?.close();
});

describe('request form in Slack', () => {
  it('opens at once with the trigger, then shows the pre-filled form', async () => {
    // A trigger the emulator would have issued with the click (it refuses made-up ones, as Slack does).
    const trigger = mintTriggerId();
    const res = await sendAction(s.eventsUrl, SIGNING_SECRET, {
      actionId: FORM_ACTION,
      value: JSON.stringify(form.prefill),
      userId: 'UALICE',
      channelId: 'C0GENERAL',
      triggerId: trigger,
    });
    expect(res.status).toBe(200);
    const open = await emu.waitForCall('views.open', (c) => c.args.trigger_id === trigger);
    expect(JSON.stringify(open.args.view)).toContain('Loading the request form');
    const update = await emu.waitForCall('views.update');
    expect(update.args.view).toMatchObject({ callback_id: FORM_CALLBACK });
    expect(JSON.stringify(update.args.view)).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"editor"',
    );
    expect(opened).toHaveLength(1);
  });

  it('hands a complete submission to submitRequestForm and shows field errors otherwise', async () => {
    const payload = viewSubmissionPayload({
      callbackId: FORM_CALLBACK,
      privateMetadata: JSON.stringify({ channelId: 'C0GENERAL' }),
      values: {},
      userId: 'UALICE',
    }) as { view: { state: { values: Record<string, unknown> } } };
    const blank = await sendInteraction(s.eventsUrl, SIGNING_SECRET, payload);
    expect(JSON.parse(blank.body)).toMatchObject({
      response_action: 'errors',
      errors: { [FORM_FIELDS.who.block]: 'Pick the person.' },
    });
    payload.view.state.values = {
      [FORM_FIELDS.who.block]: { [FORM_FIELDS.who.action]: { type: 'users_select', selected_user: 'UDANA' } },
      [FORM_FIELDS.role.block]: {
        [FORM_FIELDS.role.action]: { type: 'static_select', selected_option: { value: 'editor' } },
      },
      [FORM_FIELDS.duration.block]: {
        [FORM_FIELDS.duration.action]: { type: 'static_select', selected_option: { value: '3600000' } },
      },
      [FORM_FIELDS.reason.block]: { [FORM_FIELDS.reason.action]: { type: 'plain_text_input', value: null } },
    };
    const ok = await sendInteraction(s.eventsUrl, SIGNING_SECRET, payload);
    expect(ok.status).toBe(200);
    expect(await submitted).toEqual({
      clicker: { userId: 'UALICE', teamId: TEAM },
      channelId: 'C0GENERAL',
      isDm: false,
      targetUserId: 'UDANA',
      role: 'editor',
      durationMs: 3_600_000,
    });
  });
});
