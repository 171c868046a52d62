import { type Filter, type FilterError, matches, parseFilter } from './filter.ts';

/** RFC 7644 §3.5.2 PATCH for the test server, applied to a plain JSON resource in place. */

export class PatchError extends Error {
  readonly scimType: string;
  constructor(scimType: string, message: string) {
    super(message);
    this.scimType = scimType;
  }
}

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

const READ_ONLY = new Set(['id', 'meta', 'groups', 'schemas']);
const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;

interface Target {
  container: Record<string, unknown>;
  attr: string;
  sub?: string;
  filter?: Filter;
}

function keyOf(o: Record<string, unknown>, name: string): string {
  return Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

function resolve(resource: Record<string, unknown>, rawPath: string, create: boolean): Target | undefined {
  let path = rawPath.trim().replace(CORE_PREFIX, '');
  let container = resource;
  if (path.toLowerCase().startsWith('urn:')) {
    const bracket = path.indexOf('[');
    const cut = path.lastIndexOf(':', bracket < 0 ? path.length : bracket);
    const schema = keyOf(resource, path.slice(0, cut));
    const ext = resource[schema];
    if (!ext || typeof ext !== 'object') {
      if (!create) return undefined;
      resource[schema] = {};
    }
    container = resource[schema] as Record<string, unknown>;
    path = path.slice(cut + 1);
  }
  const m = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/.exec(path);
  if (!m) throw new PatchError('invalidPath', `unsupported path ${rawPath}`);
  const attr = keyOf(container, m[1]!);
  if (READ_ONLY.has(attr.toLowerCase())) throw new PatchError('mutability', `${attr} is read-only`);
  let filter: Filter | undefined;
  if (m[2] !== undefined) {
    try {
      filter = parseFilter(m[2]);
    } catch (err) {
      throw new PatchError('invalidPath', `bad value filter: ${(err as FilterError).message}`);
    }
  }
  return { container, attr, ...(m[3] ? { sub: m[3] } : {}), ...(filter ? { filter } : {}) };
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function sameValue(a: unknown, b: unknown): boolean {
  const va = a && typeof a === 'object' ? (a as { value?: unknown }).value : a;
  const vb = b && typeof b === 'object' ? (b as { value?: unknown }).value : b;
  return va !== undefined && va === vb;
}

export interface PatchOptions {
  /** Multi-valued `add` appends even when the value is already there (some servers do). */
  duplicates: boolean;
  /** Which multi-valued attributes exist (others are single-valued). */
  multiValued: ReadonlySet<string>;
}

export function applyPatch(resource: Record<string, unknown>, ops: PatchOperation[], o: PatchOptions): void {
  for (const raw of ops) {
    const op = String(raw.op ?? 'replace').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw new PatchError('invalidSyntax', `bad op ${raw.op}`);
    if (!raw.path) {
      if (op === 'remove') throw new PatchError('noTarget', 'remove needs a path');
      if (!raw.value || typeof raw.value !== 'object' || Array.isArray(raw.value))
        throw new PatchError('invalidValue', 'a pathless operation needs an object value');
      for (const [k, v] of Object.entries(raw.value)) applyOne(resource, op, k, v, o);
      continue;
    }
    applyOne(resource, op, raw.path, raw.value, o);
  }
}

function applyOne(
  resource: Record<string, unknown>,
  op: string,
  path: string,
  value: unknown,
  o: PatchOptions,
) {
  const t = resolve(resource, path, op !== 'remove');
  if (!t) return;
  const { container, attr } = t;
  const multi = o.multiValued.has(attr.toLowerCase()) || Array.isArray(container[attr]);
  if (t.filter) {
    const items = Array.isArray(container[attr]) ? (container[attr] as unknown[]) : [];
    const hit = (it: unknown) => matches(t.filter!, it, false);
    if (op === 'remove') {
      if (t.sub) for (const it of items.filter(hit)) delete (it as Record<string, unknown>)[t.sub];
      else container[attr] = items.filter((it) => !hit(it));
      return;
    }
    if (!items.some(hit)) throw new PatchError('noTarget', `no value of ${attr} matches`);
    for (const it of items.filter(hit)) {
      if (t.sub) (it as Record<string, unknown>)[t.sub] = value;
      else Object.assign(it as Record<string, unknown>, value);
    }
    return;
  }
  if (t.sub) {
    const parent = (container[attr] ?? {}) as Record<string, unknown>;
    if (op === 'remove') delete parent[keyOf(parent, t.sub)];
    else parent[keyOf(parent, t.sub)] = value;
    container[attr] = parent;
    return;
  }
  if (op === 'remove') {
    if (multi && value !== undefined) {
      const drop = asArray(value);
      container[attr] = ((container[attr] as unknown[]) ?? []).filter(
        (it) => !drop.some((d) => sameValue(it, d)),
      );
    } else delete container[attr];
    return;
  }
  if (op === 'add' && multi) {
    const current = Array.isArray(container[attr]) ? (container[attr] as unknown[]) : [];
    const adds = asArray(value).filter((v) => o.duplicates || !current.some((c) => sameValue(c, v)));
    container[attr] = [...current, ...adds];
    return;
  }
  container[attr] = multi ? asArray(value) : value;
}
