import { z } from 'zod';
import { Decision } from './decision.ts';
import { Identity } from './identity.ts';
import { RoleAction } from './intent.ts';

/**
 * The persisted shape of one role-change request. Its `state` only moves through
 * `transition()` in request.ts, and every save is a compare-and-set on `version`.
 * All instants are ISO 8601 UTC strings (`Date#toISOString`), so they sort as text in every store.
 */
export const RequestState = z.enum([
  'awaiting_confirmation',
  'denied',
  'awaiting_approval',
  'approved',
  'applying',
  'applied',
  'failed',
  'rejected',
  'expired',
  'cancelled',
  'revoking',
  'revoked',
  'revoke_failed',
]);
export type RequestState = z.infer<typeof RequestState>;

export const Approval = z.object({ approver: Identity, at: z.string() });
export type Approval = z.infer<typeof Approval>;

export const ChatRef = z.object({
  channelId: z.string(),
  /** A DM with Rolecall, as the adapter said (records from before issue 15.2 lack it: not a DM). */
  isDm: z.boolean().optional(),
  ts: z.string().optional(),
  threadTs: z.string().optional(),
});
export type ChatRef = z.infer<typeof ChatRef>;

/** A time-bound grant of the same role the target held when this one was asked (shown to approvers). */
export const RunningGrant = z.object({
  requestId: z.string(),
  /** Start of the unbroken span of such grants: maxDuration is judged from here. */
  since: z.string(),
  endsAt: z.string(),
});
export type RunningGrant = z.infer<typeof RunningGrant>;

export const RoleRequest = z.object({
  id: z.string(),
  tenantId: z.string(),
  version: z.number().int().min(0),
  state: RequestState,
  createdAt: z.string(),
  updatedAt: z.string(),
  requester: Identity,
  target: Identity,
  /** Vendor support rep who relayed the request for the requester's organisation, if any. */
  relayedBy: Identity.optional(),
  action: RoleAction,
  role: z.string(),
  /** Length of a time-bound grant as decided (after any cap). */
  durationMs: z.number().int().positive().optional(),
  justification: z.string().optional(),
  /**
   * An extension: the time-bound grant of the same role this one lengthens, if there was one (its
   * end was the starting point). It ends without a PATCH once this one is applied.
   */
  extendsRequestId: z.string().optional(),
  /**
   * An absolute end the requester asked for ("until 6pm", or an extension's new end). A slow
   * approval never carries the grant past it: it caps grantEndsAt and the pending deadline.
   */
  endsBy: z.string().optional(),
  decision: Decision,
  approvals: z.array(Approval).default([]),
  rejection: z.object({ by: Identity, at: z.string(), reason: z.string().optional() }).optional(),
  /** Where the requester asked (replies go to this thread). */
  origin: ChatRef,
  /** Approval messages posted to approvers (updated in place when decided). */
  approvalMessages: z.array(ChatRef).default([]),
  confirmationExpiresAt: z.string().optional(),
  pendingExpiresAt: z.string().optional(),
  reminderSentAt: z.string().optional(),
  /** Set when applied: the instant the change took effect in the directory. */
  appliedAt: z.string().optional(),
  /**
   * Set when a grant is applied: the person already held the role then (so this grant added
   * nothing). Unlike rolesBefore, which a later revocation overwrites, it never changes.
   */
  heldBefore: z.boolean().optional(),
  /** Set when applied: the instant a time-bound grant is due for revocation. */
  grantEndsAt: z.string().optional(),
  rolesBefore: z.array(z.string()).optional(),
  rolesAfter: z.array(z.string()).optional(),
  /** Set while a worker holds `applying`/`revoking`; lets recovery find abandoned work. */
  claimedAt: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** Set when asked while a time-bound grant of the same role was running (issue 13.5). */
  running: RunningGrant.optional(),
});
export type RoleRequest = z.infer<typeof RoleRequest>;
