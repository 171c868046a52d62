import { z } from 'zod';

/** Why policy said no. Stable values: the messages module turns them into words. */
export const DenyReason = z.enum([
  'no_matching_rule',
  'unknown_role',
  'requester_unknown',
  'requester_inactive',
  'target_unknown',
  'external_user',
  'duration_exceeds_max',
  /** A duration was given for a revoke: time-bound removals are not supported. */
  'duration_not_supported',
  /** The duration is not a positive whole number of milliseconds. */
  'invalid_duration',
  'above_own_role',
  'operator_cannot_approve',
  /** Approval is required but no approver role could be named (e.g. an operator relay with no adminRoles). */
  'no_approvers',
  'store_unavailable',
]);
export type DenyReason = z.infer<typeof DenyReason>;

/**
 * The policy's answer for one (requester, action, target, role, duration). A value, not an
 * error: denial is an expected outcome. `durationMs` is the duration that will be applied
 * (possibly capped: `capped` says so and the card must show it).
 */
export const Decision = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('allow'),
    ruleId: z.string(),
    durationMs: z.number().int().positive().optional(),
    capped: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('needs_approval'),
    ruleId: z.string(),
    /** Catalogue roles whose holders may approve. */
    approverRoles: z.array(z.string()).min(1),
    /** Distinct approvers required. */
    count: z.number().int().min(1),
    durationMs: z.number().int().positive().optional(),
    capped: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('deny'),
    reason: DenyReason,
    ruleId: z.string().optional(),
    detail: z.string().optional(),
  }),
]);
export type Decision = z.infer<typeof Decision>;
