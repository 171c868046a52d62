import type { App, types } from '@slack/bolt';
import { z } from 'zod';
import type { FormOpener, UseCases } from '../../app/inbound.ts';
import { FORM_ACTION, type FormSubmission, type RequestForm } from '../../app/request-form.ts';
import type { Card } from '../../ports/chat.ts';
import type { Logger } from '../log/logger.ts';
import { truncate } from './blocks.ts';
import { toSlackError } from './errors.ts';
import type { InFlight } from './inflight.ts';
import { mrkdwn } from './mrkdwn.ts';
import { parseClick, slackIsDm } from './parse.ts';

/**
 * The request form as a Slack modal (issue 16): a user picker, the tenant's roles, durations the
 * policy allows and a reason, pre-filled from the "Open the request form" button. The modal opens
 * at once with the click's trigger_id (valid for 3 s) and is filled in by views.update when the
 * use case has read who is asking, so a slow directory never loses the trigger.
 */
export const FORM_CALLBACK = 'rc_form_submit';
export const FORM_FIELDS = {
  who: { block: 'rc_form_who', action: 'rc_form_who_pick' },
  role: { block: 'rc_form_role', action: 'rc_form_role_pick' },
  duration: { block: 'rc_form_duration', action: 'rc_form_duration_pick' },
  reason: { block: 'rc_form_reason', action: 'rc_form_reason_text' },
} as const;
/** The duration option meaning "no end". */
export const NO_END = 'none';

const plain = (text: string) => ({ type: 'plain_text' as const, text: text.slice(0, 75), emoji: true });
const option = (text: string, value: string) => ({ text: plain(text), value: value.slice(0, 150) });

export function loadingModal(): types.ModalView {
  return {
    type: 'modal',
    title: plain('Request a role'),
    close: plain('Cancel'),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Loading the request form…' } }],
  };
}

/** A refusal shown in the modal that was opened for the form. */
export function refusalModal(card: Card): types.ModalView {
  return {
    type: 'modal',
    title: plain('Request a role'),
    close: plain('Close'),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(mrkdwn(card.text) || '…', 3000) } }],
  };
}

export function requestFormModal(form: RequestForm): types.ModalView {
  const p = form.prefill;
  const roles = form.roles.slice(0, 100).map((r) => option(r.name, r.name));
  const durations = form.durations
    .slice(0, 100)
    .map((d) => option(d.label, d.ms === null ? NO_END : String(d.ms)));
  const role = roles.find((o) => o.value === p.role);
  const duration = durations.find((o) => o.value === String(p.durationMs ?? NO_END));
  const blocks: types.ModalView['blocks'] = [];
  if (form.lead) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: form.lead.slice(0, 3000) } });
  if (p.targetText && !p.targetUserId)
    blocks.push({
      type: 'context',
      elements: [
        { type: 'plain_text', text: `You wrote “${p.targetText}”: pick that person below.`.slice(0, 2000) },
      ],
    });
  blocks.push(
    {
      type: 'input',
      block_id: FORM_FIELDS.who.block,
      label: plain('Who'),
      element: {
        type: 'users_select',
        action_id: FORM_FIELDS.who.action,
        ...(p.targetUserId ? { initial_user: p.targetUserId } : {}),
      },
    },
    {
      type: 'input',
      block_id: FORM_FIELDS.role.block,
      label: plain('Role'),
      element: {
        type: 'static_select',
        action_id: FORM_FIELDS.role.action,
        options: roles,
        ...(role ? { initial_option: role } : {}),
      },
    },
    {
      type: 'input',
      block_id: FORM_FIELDS.duration.block,
      label: plain('For how long'),
      element: {
        type: 'static_select',
        action_id: FORM_FIELDS.duration.action,
        options: durations,
        ...(duration ? { initial_option: duration } : {}),
      },
    },
    {
      type: 'input',
      block_id: FORM_FIELDS.reason.block,
      optional: true,
      label: plain('Reason'),
      element: {
        type: 'plain_text_input',
        action_id: FORM_FIELDS.reason.action,
        max_length: 500,
        ...(p.justification ? { initial_value: p.justification } : {}),
      },
    },
  );
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK,
    private_metadata: JSON.stringify({
      channelId: p.channelId,
      isDm: p.isDm,
      threadTs: p.threadTs,
      ...(form.responseUrl ? { responseUrl: form.responseUrl } : {}),
    }),
    title: plain('Request a role'),
    submit: plain('Continue'),
    close: plain('Cancel'),
    blocks,
  };
}

const Picked = z
  .object({
    selected_user: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    value: z.string().nullish(),
  })
  .loose();
const Submission = z.object({
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullish(),
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string().optional(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), Picked)) }),
  }),
});
const Meta = z.object({
  channelId: z.string().min(1),
  isDm: z.boolean().optional(),
  threadTs: z.string().optional(),
  responseUrl: z.url({ protocol: /^https?$/ }).optional(),
});

/** The modal's answer as a submission, or per-field errors for Slack to show. */
export function parseFormSubmission(
  body: unknown,
): { ok: true; value: FormSubmission } | { ok: false; errors?: Record<string, string>; reason: string } {
  const b = Submission.safeParse(body);
  if (!b.success) return { ok: false, reason: 'malformed form submission' };
  const { user, team, view } = b.data;
  let meta: z.infer<typeof Meta>;
  try {
    meta = Meta.parse(JSON.parse(view.private_metadata ?? ''));
  } catch {
    return { ok: false, reason: 'form submission without its channel' };
  }
  const teamId = user.team_id || team?.id;
  if (!teamId) return { ok: false, reason: 'no team for the user' };
  const v = (f: { block: string; action: string }) => view.state.values[f.block]?.[f.action];
  const who = v(FORM_FIELDS.who)?.selected_user ?? undefined;
  const role = v(FORM_FIELDS.role)?.selected_option?.value;
  const duration = v(FORM_FIELDS.duration)?.selected_option?.value;
  const errors: Record<string, string> = {};
  if (!who) errors[FORM_FIELDS.who.block] = 'Pick the person.';
  if (!role) errors[FORM_FIELDS.role.block] = 'Pick a role.';
  const ms = duration && duration !== NO_END ? Number(duration) : undefined;
  if (!duration || (ms !== undefined && !(Number.isSafeInteger(ms) && ms > 0)))
    errors[FORM_FIELDS.duration.block] = 'Pick how long.';
  if (Object.keys(errors).length) return { ok: false, errors, reason: 'form incomplete' };
  const reason = v(FORM_FIELDS.reason)?.value?.trim();
  return {
    ok: true,
    value: {
      clicker: { userId: user.id, teamId },
      channelId: meta.channelId,
      isDm: meta.isDm ?? slackIsDm({ id: meta.channelId }),
      ...(meta.responseUrl ? { responseUrl: meta.responseUrl } : {}),
      ...(meta.threadTs ? { threadTs: meta.threadTs } : {}),
      targetUserId: who!,
      role: role!,
      ...(ms ? { durationMs: ms } : {}),
      ...(reason ? { justification: reason.slice(0, 500) } : {}),
    },
  };
}

/**
 * A slash command's form, opened straight away: the "Loading…" modal spends the trigger at once,
 * then the built form replaces it (views.update). False when Slack would not open it (trigger
 * expired or already used, rate-limited), so the caller offers the button instead.
 */
export function formOpener(
  slack: {
    open: (args: {
      trigger_id: string;
      view: types.ModalView;
    }) => Promise<{ view?: { id?: string; hash?: string } }>;
    update: (args: { view_id: string; hash?: string; view: types.ModalView }) => Promise<unknown>;
  },
  triggerId: string,
  log: Logger,
): FormOpener {
  return async (build) => {
    let opened: { view?: { id?: string; hash?: string } };
    try {
      opened = await slack.open({ trigger_id: triggerId, view: loadingModal() });
    } catch (err) {
      log.info({ err: toSlackError(err, 'views.open') }, 'request form not opened; offering its button');
      return false;
    }
    const form = await build();
    try {
      await slack.update({
        view_id: opened.view?.id ?? '',
        ...(opened.view?.hash ? { hash: opened.view.hash } : {}),
        view: requestFormModal(form),
      });
      return true;
    } catch (err) {
      log.warn({ err: toSlackError(err, 'views.update') }, 'request form not filled in; offering its button');
      return false;
    }
  };
}

/** The form's two listeners: its button opens the modal, its submission becomes a request. */
export function registerRequestForm(app: App, d: { useCases: UseCases; log: Logger; work: InFlight }): void {
  const { useCases, log, work } = d;
  const open = useCases.openRequestForm;
  const submit = useCases.submitRequestForm;
  if (!open || !submit) return;
  app.action(new RegExp(`^${FORM_ACTION}(?:#\\d+)?$`), async ({ ack, body, client }) => {
    await ack();
    const p = parseClick(body);
    if (!p.ok || !p.value.triggerId)
      return log.warn({ reason: p.ok ? 'no trigger_id' : p.reason }, 'form click');
    const { click, triggerId } = p.value;
    void work.run('views.open', { view: FORM_CALLBACK }, async () => {
      const opened = await client.views
        .open({ trigger_id: triggerId, view: loadingModal() })
        .catch((err: unknown) => {
          throw toSlackError(err, 'views.open');
        });
      const form = await open(click);
      const view = 'prefill' in form ? requestFormModal(form) : refusalModal(form);
      await client.views
        .update({
          view_id: opened.view?.id ?? '',
          ...(opened.view?.hash ? { hash: opened.view.hash } : {}),
          view,
        })
        .catch((err: unknown) => {
          throw toSlackError(err, 'views.update');
        });
    });
  });
  app.view(FORM_CALLBACK, async ({ ack, body }) => {
    const p = parseFormSubmission(body);
    if (!p.ok) {
      if (p.errors) return ack({ response_action: 'errors', errors: p.errors });
      await ack();
      return log.warn({ reason: p.reason }, 'unusable form submission');
    }
    await ack();
    void work.run('submitRequestForm', { userId: p.value.clicker.userId }, () => submit(p.value));
  });
}
