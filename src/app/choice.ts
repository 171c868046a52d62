import { z } from 'zod';
import { RoleAction } from '../core/intent.ts';
import { ChatRef } from '../core/request-record.ts';

/**
 * A "which Dana?" button carries the pending ask itself (Slack signs interaction payloads, and the
 * click is re-validated and re-evaluated from scratch), so no half-made request is stored.
 */
export const Choice = z.object({
  requester: z.string(),
  targetScimId: z.string(),
  origin: ChatRef,
  action: RoleAction,
  role: z.string(),
  durationMs: z.number().int().positive().optional(),
  until: z.string().optional(),
  justification: z.string().max(500).optional(),
  extend: z.literal(true).optional(),
});
export type Choice = z.infer<typeof Choice>;

export function encodeChoice(c: Choice): string {
  return JSON.stringify(c).slice(0, 2000);
}

export function decodeChoice(value: string): Choice | undefined {
  try {
    const r = Choice.safeParse(JSON.parse(value));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
