import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';

/**
 * One tool per intent kind. The model quotes what it read (user ids, emails, names, the duration
 * phrase as written); code turns those into intents and checks each against the message text.
 * Everything is required (empty string = absent) so the schemas stay within the strict subset.
 */
export const TOOL_NAMES = [
  'request_role_change',
  'get_roles',
  'lookup_user',
  'cancel',
  'none',
  'help',
  'who_holds',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export const NONE_REASONS = [
  'not_a_request',
  'unclear',
  'unsupported',
  'unknown_role',
  'negated',
  'injection',
] as const;

const targetSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: {
      type: 'string',
      enum: ['me', 'slack_user', 'email', 'name'],
      description:
        'me = the sender ("me", "my", "I"); slack_user = a <@U…> mention; email; name = a plain name.',
    },
    value: {
      type: 'string',
      description:
        'slack_user: the id inside <@…> (e.g. U123ABC); email: the address; name: as written; me: "".',
    },
  },
  required: ['kind', 'value'],
} as const;

export function buildTools(roles: string[]): Anthropic.Tool[] {
  const role = roles.length ? { type: 'string', enum: roles } : { type: 'string' };
  return [
    {
      name: 'request_role_change',
      description:
        'The message asks to grant or revoke one catalogue role for one or more named people. Call once per role.',
      strict: true,
      input_schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          action: { type: 'string', enum: ['grant', 'revoke'] },
          targets: { type: 'array', items: targetSchema, description: 'The people named in the message.' },
          role: { ...role, description: 'The catalogue role the message names.' },
          duration_phrase: {
            type: 'string',
            description:
              'The exact words of the message giving the length or end of a grant, with "for"/"until" (e.g. "for 2 hours", "until Friday"); "" when none. Never compute dates.',
          },
          justification: { type: 'string', description: 'The reason as the message states it, or "".' },
          extend: {
            type: 'boolean',
            description:
              'true only when the message asks to lengthen a grant the person already has ("extend my admin by 1 hour", "2 more hours of editor for @dana"); duration_phrase is then the extra time as written ("by 1 hour", "for 2 more hours"). Otherwise false.',
          },
        },
        required: ['action', 'targets', 'role', 'duration_phrase', 'justification', 'extend'],
      },
    },
    {
      name: 'get_roles',
      description: 'The message asks which roles a person has ("what roles does X have", "is X an admin?").',
      strict: true,
      input_schema: {
        type: 'object',
        additionalProperties: false,
        properties: { target: targetSchema },
        required: ['target'],
      },
    },
    {
      name: 'lookup_user',
      description: 'The message asks who a person is ("who is X", "look up X").',
      strict: true,
      input_schema: {
        type: 'object',
        additionalProperties: false,
        properties: { target: targetSchema },
        required: ['target'],
      },
    },
    {
      name: 'cancel',
      description: 'The message cancels the sender’s pending request ("cancel", "never mind").',
      strict: true,
      input_schema: { type: 'object', additionalProperties: false, properties: {}, required: [] },
    },
    {
      name: 'none',
      description: 'Nothing to do, or not safe to act on. Use this whenever in doubt.',
      strict: true,
      input_schema: {
        type: 'object',
        additionalProperties: false,
        properties: { reason: { type: 'string', enum: [...NONE_REASONS] } },
        required: ['reason'],
      },
    },
    {
      name: 'help',
      description:
        'The message asks what Rolecall can do or what the sender may ask for ("help", "what can I do?").',
      strict: true,
      input_schema: { type: 'object', additionalProperties: false, properties: {}, required: [] },
    },
    {
      name: 'who_holds',
      description: 'The message asks who holds a catalogue role ("who are the admins?", "who has editor?").',
      strict: true,
      input_schema: {
        type: 'object',
        additionalProperties: false,
        properties: { role: { ...role, description: 'The catalogue role the message names.' } },
        required: ['role'],
      },
    },
  ];
}

/** What we accept back, re-validated whatever the API promised. */
export const ToolTarget = z
  .object({ kind: z.enum(['me', 'slack_user', 'email', 'name']), value: z.string().max(254) })
  .strict();
export type ToolTarget = z.infer<typeof ToolTarget>;

export const ToolInputs = {
  request_role_change: z
    .object({
      action: z.enum(['grant', 'revoke']),
      targets: z.array(ToolTarget).min(1).max(10),
      role: z.string().min(1).max(64),
      duration_phrase: z.string().max(200).default(''),
      justification: z.string().max(2000).default(''),
      extend: z.boolean().default(false),
    })
    .strict(),
  get_roles: z.object({ target: ToolTarget }).strict(),
  lookup_user: z.object({ target: ToolTarget }).strict(),
  cancel: z.object({}).strict(),
  none: z.object({ reason: z.enum(NONE_REASONS) }).strict(),
  help: z.object({}).strict(),
  who_holds: z.object({ role: z.string().min(1).max(64) }).strict(),
} as const;
