import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';

/**
 * One tool per intent kind. The model quotes what it read (user ids, emails, names, the duration
 * phrase as written); code turns those into intents and checks each against the message text.
 * Everything is required (empty string = absent) so the schemas stay within the strict subset.
 * The schemas are derived from the zod schemas that check the answers (one definition each).
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

/** What a target is, for the model and for the check of its answer. */
const TARGET_KINDS = ['me', 'slack_user', 'email', 'name'] as const;

export const ToolTarget = z
  .object({
    kind: z
      .enum(TARGET_KINDS)
      .describe(
        'me = the sender ("me", "my", "I"); slack_user = a <@U…> mention; email; name = a plain name.',
      ),
    value: z
      .string()
      .max(254)
      .describe(
        'slack_user: the id inside <@…> (e.g. U123ABC); email: the address; name: as written; me: "".',
      ),
  })
  .strict();
export type ToolTarget = z.infer<typeof ToolTarget>;

/**
 * Each tool's input as one zod schema: the same object re-validates the model's answer (whatever
 * the API promised) and, through z.toJSONSchema, is the input_schema the model is given. `role`
 * is the catalogue (an enum) when sending, any short string when checking (grounding then says
 * whether it is in the catalogue). Defaults make absent fields "" / false when checking; the
 * sent schema requires every field (the strict subset), as the output view of a default does.
 */
function toolInputs(role: z.ZodType<string>) {
  const catalogueRole = role.describe('The catalogue role the message names.');
  return {
    request_role_change: z
      .object({
        action: z.enum(['grant', 'revoke']),
        targets: z.array(ToolTarget).min(1).max(10).describe('The people named in the message.'),
        role: catalogueRole,
        duration_phrase: z
          .string()
          .max(200)
          .default('')
          .describe(
            'The exact words of the message giving the length or end of a grant, with "for"/"until" (e.g. "for 2 hours", "until Friday"); "" when none. Never compute dates.',
          ),
        justification: z
          .string()
          .max(2000)
          .default('')
          .describe('The reason as the message states it, or "".'),
        extend: z
          .boolean()
          .default(false)
          .describe(
            'true only when the message asks to lengthen a grant the person already has ("extend my admin by 1 hour", "2 more hours of editor for @dana"); duration_phrase is then the extra time as written ("by 1 hour", "for 2 more hours"). Otherwise false.',
          ),
      })
      .strict(),
    get_roles: z.object({ target: ToolTarget }).strict(),
    lookup_user: z.object({ target: ToolTarget }).strict(),
    cancel: z.object({}).strict(),
    none: z.object({ reason: z.enum(NONE_REASONS) }).strict(),
    help: z.object({}).strict(),
    who_holds: z.object({ role: catalogueRole }).strict(),
  } satisfies Record<ToolName, z.ZodType>;
}

const DESCRIPTIONS: Record<ToolName, string> = {
  request_role_change:
    'The message asks to grant or revoke one catalogue role for one or more named people. Call once per role.',
  get_roles: 'The message asks which roles a person has ("what roles does X have", "is X an admin?").',
  lookup_user: 'The message asks who a person is ("who is X", "look up X").',
  cancel: 'The message cancels the sender’s pending request ("cancel", "never mind").',
  none: 'Nothing to do, or not safe to act on. Use this whenever in doubt.',
  help: 'The message asks what Rolecall can do or what the sender may ask for ("help", "what can I do?").',
  who_holds: 'The message asks who holds a catalogue role ("who are the admins?", "who has editor?").',
};

export function buildTools(roles: string[]): Anthropic.Tool[] {
  const role = roles.length ? z.enum(roles as [string, ...string[]]) : z.string().min(1).max(64);
  const inputs = toolInputs(role);
  return TOOL_NAMES.map((name) => ({
    name,
    description: DESCRIPTIONS[name],
    strict: true,
    input_schema: strictToolSchema(inputs[name]) as Anthropic.Tool.InputSchema,
  }));
}

/** What we accept back, re-validated whatever the API promised. */
export const ToolInputs = toolInputs(z.string().min(1).max(64));

/**
 * Keywords outside Anthropic's strict-tool subset of JSON Schema ("JSON Schema limitations",
 * https://platform.claude.com/docs/en/build-with-claude/structured-outputs): no string or number
 * constraints, no array bounds but minItems 0/1, no defaults. They are dropped from what the model
 * sees; ToolInputs still enforces them on the answer. minItems is dropped too, so the schemas stay
 * byte-identical to the hand-written ones recordings were made with (replays key on them).
 */
const DROPPED = new Set([
  '$schema',
  'default',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
]);
/** A fixed key order, so the JSON sent (and the recordings' keys) never depends on zod's. */
const ORDER = ['type', 'additionalProperties', 'properties', 'items', 'enum', 'description', 'required'];

export function strictToolSchema(schema: z.ZodType): Record<string, unknown> {
  return tidy(z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' })) as Record<string, unknown>;
}

function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!node || typeof node !== 'object') return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // Every object lists all its properties as required, `[]` included (the strict subset wants it said).
  if (src.type === 'object' && src.properties && !src.required) src.required = [];
  const keys = Object.keys(src).filter((k) => !DROPPED.has(k));
  keys.sort((a, b) => rank(a) - rank(b));
  for (const k of keys)
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(src[k] as Record<string, unknown>).map(([n, v]) => [n, tidy(v)]))
        : tidy(src[k]);
  return out;
}

const rank = (k: string) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);
