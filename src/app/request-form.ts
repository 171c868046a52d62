import { z } from 'zod';
import { formatDuration } from '../core/duration.ts';
import { ChatUserId, type Intent, type Target } from '../core/intent.ts';
import type { Tenant } from '../core/policy-schema.ts';
import type { Card, CardButton } from '../ports/chat.ts';
import type { AppDeps } from './deps.ts';
import { identify, type Person } from './identify.ts';
import type { ButtonClick } from './inbound.ts';
import { FORM_BUTTON_TEXT, refusalCard } from './messages.ts';

/**
 * The request form: where a message that was not (fully) understood ends up, pre-filled with what
 * was understood, so nobody is left at "please rephrase". The button carries the pre-fill; the
 * form itself (a Slack modal, the playground's form) is built from `requestForm` and its answer
 * comes back as a `FormSubmission`, which is handled exactly like a typed request.
 */
export const FORM_ACTION = 'rc_form';

export const FormPrefill = z
  .object({
    targetUserId: ChatUserId.optional(),
    /** A person as written, when it could not be matched to a Slack user ("Dana K"). */
    targetText: z.string().max(100).optional(),
    role: z.string().max(64).optional(),
    durationMs: z.number().int().positive().optional(),
    justification: z.string().max(500).optional(),
    /**
     * Where the answer goes: the conversation (and thread) the request was made in. The surface's
     * conversation id, opaque here (Slack's C…/D…/G…, the playground's own).
     */
    channelId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{1,63}$/),
    isDm: z.boolean().optional(),
    threadTs: z.string().max(32).optional(),
  })
  .strict();
export type FormPrefill = z.infer<typeof FormPrefill>;

export interface FormDuration {
  label: string;
  /** null: no end. */
  ms: number | null;
}

/** What a surface needs to draw the form for one person. */
export interface RequestForm {
  prefill: FormPrefill;
  /** Why the form opened without being asked for (a slash command not understood): shown atop it. */
  lead?: string;
  /** The slash command's response_url, so the submission is answered where the command was typed. */
  responseUrl?: string;
  roles: { name: string; description?: string }[];
  durations: FormDuration[];
}

export interface FormSubmission {
  clicker: { userId: string; teamId: string };
  /** Carried from the command that opened the form (a view submission has no response_url). */
  responseUrl?: string;
  channelId: string;
  /** The form was opened in a DM with Rolecall (carried from the click through the form). */
  isDm?: boolean;
  threadTs?: string;
  targetUserId: string;
  role: string;
  durationMs?: number;
  justification?: string;
}

export function formButton(prefill: FormPrefill): CardButton {
  return { actionId: FORM_ACTION, value: JSON.stringify(prefill), text: FORM_BUTTON_TEXT, style: 'primary' };
}

/** A button value back into a pre-fill; anything malformed becomes an empty form, never an error. */
export function parsePrefill(value: string, channelId: string): FormPrefill {
  try {
    const p = FormPrefill.safeParse(JSON.parse(value));
    if (p.success) return p.data;
  } catch {
    // fall through
  }
  return { channelId };
}

/** The pre-fill from whatever the extractor understood (a role change, or a `none`'s partial). */
export function prefillOf(
  intent: Intent | undefined,
  where: { channelId: string; isDm?: boolean; threadTs?: string },
  person: Person,
  tenant: Tenant,
): FormPrefill {
  const base: FormPrefill = {
    channelId: where.channelId,
    ...(where.isDm ? { isDm: true } : {}),
    ...(where.threadTs ? { threadTs: where.threadTs } : {}),
  };
  const src =
    intent?.kind === 'request_role_change'
      ? {
          targets: intent.targets,
          role: intent.role,
          durationMs: intent.durationMs,
          justification: intent.justification,
        }
      : intent?.kind === 'none'
        ? intent.partial
        : undefined;
  if (!src) return base;
  const target = src.targets?.[0];
  return FormPrefill.parse({
    ...base,
    ...targetPrefill(target, person),
    ...(src.role && Object.hasOwn(tenant.roles, src.role) ? { role: src.role } : {}),
    ...(src.durationMs ? { durationMs: src.durationMs } : {}),
    ...(src.justification ? { justification: src.justification.slice(0, 500) } : {}),
  });
}

function targetPrefill(t: Target | undefined, person: Person): Partial<FormPrefill> {
  if (!t) return {};
  if (t.kind === 'me') return person.kind === 'member' ? { targetUserId: person.chatUser.id } : {};
  if (t.kind === 'slack_user') return { targetUserId: t.userId };
  return { targetText: (t.kind === 'email' ? t.email : t.name).slice(0, 100) };
}

/** Durations offered: common lengths up to the longest any rule open to this person allows. */
const STEPS = [
  3_600_000,
  2 * 3_600_000,
  4 * 3_600_000,
  8 * 3_600_000,
  86_400_000,
  3 * 86_400_000,
  7 * 86_400_000,
];

export function formDurations(tenant: Tenant, person: Person, role?: string): FormDuration[] {
  // With a role already understood, the bound is that role's; else any role's open to this person.
  const rules = tenant.rules.filter(
    (r) =>
      r.can.includes('grant') &&
      (!role || r.roles.includes(role)) &&
      (person.kind === 'operator' || r.who.includes('anyone') || r.who.some((w) => person.roles.includes(w))),
  );
  const open = rules.some((r) => r.maxDuration === undefined);
  const longest = Math.max(0, ...rules.map((r) => r.maxDuration ?? 0));
  const max = open ? Number.POSITIVE_INFINITY : longest;
  const ms = STEPS.filter((s) => s <= max);
  if (Number.isFinite(max) && max > 0 && !ms.includes(max)) ms.push(max);
  const out: FormDuration[] = ms.sort((a, b) => a - b).map((m) => ({ label: formatDuration(m), ms: m }));
  return open ? [{ label: 'No end (permanent)', ms: null }, ...out] : out;
}

export function requestForm(tenant: Tenant, person: Person, prefill: FormPrefill): RequestForm {
  const durations = formDurations(tenant, person, prefill.role);
  // A pre-filled length the form does not offer is offered too: the policy judges it, not the form.
  const p = prefill.durationMs;
  if (p && !durations.some((d) => d.ms === p)) durations.push({ label: formatDuration(p), ms: p });
  return {
    prefill,
    roles: Object.entries(tenant.roles).map(([name, def]) => ({
      name,
      ...(def.description ? { description: def.description } : {}),
    })),
    durations,
  };
}

/** A submitted form as the intent a typed request would have produced. */
export function intentOfSubmission(s: FormSubmission): Intent {
  return {
    kind: 'request_role_change',
    action: 'grant',
    targets: [{ kind: 'slack_user', userId: s.targetUserId }],
    role: s.role,
    ...(s.durationMs ? { durationMs: s.durationMs } : {}),
    ...(s.justification?.trim() ? { justification: s.justification.trim().slice(0, 500) } : {}),
  };
}

/**
 * The form for the person who clicked "Open the request form": their tenant's roles and the
 * durations open to them, pre-filled from the button. Someone Rolecall does not take requests from
 * gets the refusal instead of a form.
 */
export async function openRequestForm(deps: AppDeps, click: ButtonClick): Promise<RequestForm | Card> {
  const prefill = parsePrefill(click.value, click.channelId ?? '');
  const channel = click.channelId ?? prefill.channelId;
  // Where the click came from decides; the pre-fill only stands in when the click has no channel.
  const isDm = click.channelId ? click.isDm === true : prefill.isDm === true;
  const who = await identify(deps, click.clicker.userId, isDm ? undefined : channel);
  if (!who.ok) return refusalCard(who.refusal);
  return requestForm(who.person.tenant, who.person, {
    ...prefill,
    channelId: channel || prefill.channelId,
    ...(isDm ? { isDm: true } : { isDm: undefined }),
  });
}
