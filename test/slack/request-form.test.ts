import { describe, expect, it } from 'vitest';
import {
  FORM_CALLBACK,
  FORM_FIELDS,
  NO_END,
  parseFormSubmission,
  requestFormModal,
} from '../../src/adapters/slack/request-form.ts';
import type { RequestForm } from '../../src/app/request-form.ts';

/** Issue 16: the request form as a Slack modal, and its submission read back. */
const form: RequestForm = {
  prefill: {
    channelId: 'C0GENERAL',
    threadTs: '1700000001.000100',
    targetUserId: 'U0DANA',
    role: 'editor',
    durationMs: 7_200_000,
    justification: 'INC-2231',
  },
  roles: [{ name: 'viewer' }, { name: 'editor' }, { name: 'admin' }],
  durations: [
    { label: 'No end (permanent)', ms: null },
    { label: '1h', ms: 3_600_000 },
    { label: '2h', ms: 7_200_000 },
  ],
};

type Block = { block_id?: string; element?: Record<string, unknown> };
const element = (blocks: unknown[], block: string) =>
  (blocks as Block[]).find((b) => b.block_id === block)?.element ?? {};

describe('request form modal', () => {
  it('has a user picker, the roles, the durations, pre-filled', () => {
    const view = requestFormModal(form);
    expect(view.callback_id).toBe(FORM_CALLBACK);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({
      channelId: 'C0GENERAL',
      threadTs: '1700000001.000100',
    });
    expect(element(view.blocks, FORM_FIELDS.who.block)).toMatchObject({
      type: 'users_select',
      initial_user: 'U0DANA',
    });
    const role = element(view.blocks, FORM_FIELDS.role.block) as { options: { value: string }[] };
    expect(role.options.map((o) => o.value)).toEqual(['viewer', 'editor', 'admin']);
    expect(role).toMatchObject({ initial_option: { value: 'editor' } });
    const duration = element(view.blocks, FORM_FIELDS.duration.block) as { options: { value: string }[] };
    expect(duration.options.map((o) => o.value)).toEqual([NO_END, '3600000', '7200000']);
    expect(duration).toMatchObject({ initial_option: { value: '7200000' } });
    expect(element(view.blocks, FORM_FIELDS.reason.block)).toMatchObject({ initial_value: 'INC-2231' });
  });

  it('says what was written when the person was not matched', () => {
    const view = requestFormModal({ ...form, prefill: { channelId: 'C0GENERAL', targetText: 'Dana K' } });
    expect(JSON.stringify(view.blocks)).toContain('You wrote “Dana K”');
    expect(element(view.blocks, FORM_FIELDS.who.block)).not.toHaveProperty('initial_user');
  });

  const submission = (values: Record<string, Record<string, unknown>>) => ({
    user: { id: 'U0ERIN', team_id: 'T0DEMO' },
    team: { id: 'T0DEMO' },
    view: {
      callback_id: FORM_CALLBACK,
      private_metadata: JSON.stringify({ channelId: 'C0GENERAL', threadTs: '1.2' }),
      state: { values },
    },
  });
  const pick = (f: { block: string; action: string }, v: Record<string, unknown>) => ({
    [f.block]: { [f.action]: v },
  });

  it('reads a submission back into a request', () => {
    const p = parseFormSubmission(
      submission({
        ...pick(FORM_FIELDS.who, { type: 'users_select', selected_user: 'U0DANA' }),
        ...pick(FORM_FIELDS.role, { type: 'static_select', selected_option: { value: 'editor' } }),
        ...pick(FORM_FIELDS.duration, { type: 'static_select', selected_option: { value: '7200000' } }),
        ...pick(FORM_FIELDS.reason, { type: 'plain_text_input', value: '  INC-2231 ' }),
      }),
    );
    expect(p).toEqual({
      ok: true,
      value: {
        clicker: { userId: 'U0ERIN', teamId: 'T0DEMO' },
        channelId: 'C0GENERAL',
        isDm: false,
        threadTs: '1.2',
        targetUserId: 'U0DANA',
        role: 'editor',
        durationMs: 7_200_000,
        justification: 'INC-2231',
      },
    });
    const permanent = parseFormSubmission(
      submission({
        ...pick(FORM_FIELDS.who, { selected_user: 'U0DANA' }),
        ...pick(FORM_FIELDS.role, { selected_option: { value: 'viewer' } }),
        ...pick(FORM_FIELDS.duration, { selected_option: { value: NO_END } }),
      }),
    );
    expect(permanent.ok && permanent.value.durationMs).toBeUndefined();
  });

  it('answers a missing field with field errors, and bad input without a throw', () => {
    const p = parseFormSubmission(
      submission({ ...pick(FORM_FIELDS.duration, { selected_option: { value: '-1' } }) }),
    );
    expect(p.ok).toBe(false);
    expect(!p.ok && p.errors).toEqual({
      [FORM_FIELDS.who.block]: 'Pick the person.',
      [FORM_FIELDS.role.block]: 'Pick a role.',
      [FORM_FIELDS.duration.block]: 'Pick how long.',
    });
    expect(parseFormSubmission({ nonsense: true })).toMatchObject({ ok: false });
    const noMeta = submission({});
    noMeta.view.private_metadata = 'not json';
    expect(parseFormSubmission(noMeta)).toMatchObject({
      ok: false,
      reason: 'form submission without its channel',
    });
  });
});
