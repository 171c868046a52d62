import { z } from 'zod';

/**
 * What a chat message asks for. Extractors (LLM or offline parser) produce these; nothing here
 * says whether it is allowed. The requester is never a field: it is the verified Slack sender.
 */
/**
 * A person's chat user id, as mentions carry it (`<@ID>`, the IntentExtractor contract). Slack's
 * `U…`/`W…` today: the one pattern a new chat surface would widen (issue 15.2).
 */
export const ChatUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/);

export const Target = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('me') }),
  z.object({ kind: z.literal('slack_user'), userId: ChatUserId }),
  z.object({ kind: z.literal('email'), email: z.string().email().max(254) }),
  z.object({ kind: z.literal('name'), name: z.string().min(1).max(100) }),
]);
export type Target = z.infer<typeof Target>;

export const RoleAction = z.enum(['grant', 'revoke']);
export type RoleAction = z.infer<typeof RoleAction>;

export const Intent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('lookup_user'), target: Target }),
  z.object({ kind: z.literal('get_roles'), target: Target }),
  z.object({
    kind: z.literal('request_role_change'),
    action: RoleAction,
    targets: z.array(Target).min(1).max(10),
    role: z.string().min(1).max(64),
    /** Requested length of a time-bound grant, computed in code from the text. */
    durationMs: z.number().int().positive().optional(),
    /** Absolute end of a time-bound grant (ISO 8601), computed in code from the text. */
    until: z.iso.datetime({ offset: true }).optional(),
    justification: z.string().max(500).optional(),
    /**
     * Lengthen the target's current time-bound grant of this role: durationMs counts from that
     * grant's end (from now when there is none); `until` is the new end. Only with action grant.
     */
    extend: z.literal(true).optional(),
  }),
  z.object({ kind: z.literal('cancel') }),
  /** "help", "what can I do?": what this person may request, for whom, and who approves. */
  z.object({ kind: z.literal('help') }),
  /** "who are the admins?": the holders of one catalogue role. */
  z.object({ kind: z.literal('who_holds'), role: z.string().min(1).max(64) }),
  z.object({
    kind: z.literal('none'),
    /** Why nothing was understood; the reply wording itself lives in the messages module. */
    reason: z
      .enum([
        'not_a_request',
        'unclear',
        'unsupported',
        'unknown_role',
        'negated',
        'injection',
        /** "for 0 hours": a grant that would end before it starts. */
        'zero_duration',
        /** "for 100 years": longer than any grant can be. */
        'too_long',
      ])
      .optional(),
    /** What could be read anyway, to pre-fill the request form; never acted on by itself. */
    partial: z
      .object({
        targets: z.array(Target).max(10).optional(),
        role: z.string().min(1).max(64).optional(),
        durationMs: z.number().int().positive().optional(),
        justification: z.string().max(500).optional(),
      })
      .optional(),
  }),
]);
export type Intent = z.infer<typeof Intent>;
export type RoleChangeIntent = Extract<Intent, { kind: 'request_role_change' }>;
