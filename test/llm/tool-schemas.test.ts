import { describe, expect, it } from 'vitest';
import { buildTools, TOOL_NAMES, ToolInputs } from '../../src/adapters/llm/tools.ts';
import { legacyTools } from './fixtures/legacy-tools.ts';

/**
 * Anthropic's strict tool use accepts a subset of JSON Schema (structured outputs, "JSON Schema
 * limitations": https://platform.claude.com/docs/en/build-with-claude/structured-outputs).
 * Supported: the basic types, enum of primitives, const, anyOf, allOf, local $ref/$defs, required,
 * additionalProperties: false, string formats, minItems 0 or 1. Not supported: recursive schemas,
 * numerical constraints, string constraints (minLength, maxLength, pattern), other array
 * constraints. Our own rule on top: every object is closed and requires all its properties.
 */
const ALLOWED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'description',
  'anyOf',
  'allOf',
  '$ref',
  '$defs',
  'format',
  'minItems',
]);
const FORMATS = new Set([
  'date-time',
  'time',
  'date',
  'duration',
  'email',
  'hostname',
  'uri',
  'ipv4',
  'ipv6',
  'uuid',
]);

function strictSubsetProblems(node: unknown, at = '$'): string[] {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return [`${at}: not a schema object`];
  const s = node as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(s))
    if (!ALLOWED.has(k)) out.push(`${at}: keyword ${k} is outside the strict subset`);
  if (s.minItems !== undefined && s.minItems !== 0 && s.minItems !== 1)
    out.push(`${at}: minItems ${s.minItems}`);
  if (s.format !== undefined && !FORMATS.has(String(s.format))) out.push(`${at}: format ${s.format}`);
  if (s.enum !== undefined && !(s.enum as unknown[]).every((v) => v === null || typeof v !== 'object'))
    out.push(`${at}: enum of non-primitives`);
  if (s.$ref !== undefined && !String(s.$ref).startsWith('#')) out.push(`${at}: external $ref`);
  if (s.type === 'object') {
    if (s.additionalProperties !== false) out.push(`${at}: additionalProperties must be false`);
    const props = Object.keys((s.properties as Record<string, unknown>) ?? {});
    const required = (s.required as string[] | undefined) ?? [];
    if ([...props].sort().join() !== [...required].sort().join())
      out.push(`${at}: not every property is required`);
    for (const p of props)
      out.push(...strictSubsetProblems((s.properties as Record<string, unknown>)[p], `${at}.${p}`));
  }
  if (s.items !== undefined) out.push(...strictSubsetProblems(s.items, `${at}[]`));
  for (const k of ['anyOf', 'allOf'] as const)
    for (const [i, sub] of ((s[k] as unknown[] | undefined) ?? []).entries())
      out.push(...strictSubsetProblems(sub, `${at}.${k}[${i}]`));
  return out;
}

const CATALOGUES = [['viewer', 'editor', 'admin', 'owner'], ['billing-admin'], []];

describe('LLM tool schemas derived from zod', () => {
  it.each(CATALOGUES)('stay inside the strict-tool subset (catalogue %j)', (...roles) => {
    for (const tool of buildTools(roles)) {
      expect(tool.strict).toBe(true);
      expect(strictSubsetProblems(tool.input_schema), tool.name).toEqual([]);
    }
  });

  it.each(CATALOGUES)(
    'are byte-identical to the hand-written schemas they replace (catalogue %j)',
    (...roles) => {
      // Recordings in eval/ key on the request body with the tools in it: identical JSON, identical keys.
      expect(JSON.stringify(buildTools(roles))).toBe(JSON.stringify(legacyTools(roles)));
    },
  );

  it('cover every tool the answer checker knows, in its order', () => {
    expect(buildTools(['viewer']).map((t) => t.name)).toEqual([...TOOL_NAMES]);
    expect(Object.keys(ToolInputs)).toEqual([...TOOL_NAMES]);
  });

  it('the checker still enforces what the subset cannot say (lengths, counts), and fills the defaults', () => {
    const ok = { action: 'grant', targets: [{ kind: 'me', value: '' }], role: 'editor' };
    expect(ToolInputs.request_role_change.parse(ok)).toEqual({
      ...ok,
      duration_phrase: '',
      justification: '',
      extend: false,
    });
    expect(ToolInputs.request_role_change.safeParse({ ...ok, targets: [] }).success).toBe(false);
    const eleven = Array.from({ length: 11 }, () => ({ kind: 'me', value: '' }));
    expect(ToolInputs.request_role_change.safeParse({ ...ok, targets: eleven }).success).toBe(false);
    expect(ToolInputs.who_holds.safeParse({ role: 'x'.repeat(65) }).success).toBe(false);
    expect(ToolInputs.get_roles.safeParse({ target: { kind: 'name', value: 'x'.repeat(255) } }).success).toBe(
      false,
    );
    expect(ToolInputs.cancel.safeParse({ extra: 1 }).success).toBe(false);
  });

  it('the subset check itself catches what the API would reject', () => {
    expect(
      strictSubsetProblems({
        type: 'object',
        properties: { a: { type: 'string', maxLength: 3 } },
        required: ['a'],
      }),
    ).toEqual([
      '$: additionalProperties must be false',
      '$.a: keyword maxLength is outside the strict subset',
    ]);
    expect(
      strictSubsetProblems({
        type: 'object',
        additionalProperties: false,
        properties: { a: { type: 'string' } },
        required: [],
      }),
    ).toEqual(['$: not every property is required']);
  });
});
