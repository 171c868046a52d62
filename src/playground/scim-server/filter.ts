/**
 * A small RFC 7644 §3.4.2.2 filter engine for the test SCIM server: attribute paths, value paths
 * (`emails[value eq "x"]`), eq/ne/co/sw/ew/gt/ge/lt/le/pr, and/or/not and parentheses.
 */

export type Filter =
  | { kind: 'cmp'; attr: string; op: string; value: unknown }
  | { kind: 'pr'; attr: string }
  | { kind: 'valuePath'; attr: string; inner: Filter }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; inner: Filter };

export class FilterError extends Error {}

const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
type Token = { t: 'word' | 'str' | 'punct'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('()[]'.includes(c)) {
      out.push({ t: 'punct', v: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new FilterError('unterminated string');
      try {
        out.push({ t: 'str', v: JSON.parse(src.slice(i, j + 1)) as string });
      } catch {
        throw new FilterError('bad string literal');
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < src.length && !/[\s()[\]"]/.test(src[j]!)) j++;
      out.push({ t: 'word', v: src.slice(i, j) });
      i = j;
    }
  }
  return out;
}

export function parseFilter(src: string): Filter {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const word = (w: string) => peek()?.t === 'word' && peek()!.v.toLowerCase() === w;
  const expect = (v: string) => {
    if (peek()?.v !== v) throw new FilterError(`expected ${v}`);
    p++;
  };
  const orExpr = (): Filter => {
    let left = andExpr();
    while (word('or')) {
      p++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): Filter => {
    let left = unary();
    while (word('and')) {
      p++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Filter => {
    if (word('not')) {
      p++;
      expect('(');
      const inner = orExpr();
      expect(')');
      return { kind: 'not', inner };
    }
    if (peek()?.v === '(') {
      p++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    const a = peek();
    if (a?.t !== 'word') throw new FilterError('expected an attribute');
    p++;
    if (peek()?.v === '[') {
      p++;
      const inner = orExpr();
      expect(']');
      return { kind: 'valuePath', attr: a.v, inner };
    }
    const op = peek();
    if (op?.t !== 'word') throw new FilterError('expected an operator');
    p++;
    const o = op.v.toLowerCase();
    if (o === 'pr') return { kind: 'pr', attr: a.v };
    if (!OPS.has(o)) throw new FilterError(`unknown operator ${op.v}`);
    const v = peek();
    if (!v) throw new FilterError('expected a value');
    p++;
    const value =
      v.t === 'str'
        ? v.v
        : v.v === 'true'
          ? true
          : v.v === 'false'
            ? false
            : v.v === 'null'
              ? null
              : Number(v.v);
    return { kind: 'cmp', attr: a.v, op: o, value };
  };
  const f = orExpr();
  if (p !== toks.length) throw new FilterError('unexpected trailing input');
  return f;
}

/** Operators and attributes a filter uses, for servers that support only some. */
export function filterFeatures(f: Filter): { ops: Set<string>; attrs: Set<string> } {
  const ops = new Set<string>();
  const attrs = new Set<string>();
  const walk = (n: Filter, prefix: string) => {
    if (n.kind === 'cmp' || n.kind === 'pr') {
      ops.add(n.kind === 'pr' ? 'pr' : n.op);
      attrs.add((prefix + n.attr).toLowerCase());
    } else if (n.kind === 'valuePath') {
      ops.add('[]');
      attrs.add(n.attr.toLowerCase());
      walk(n.inner, `${n.attr}.`);
    } else if (n.kind === 'not') {
      ops.add('not');
      walk(n.inner, prefix);
    } else {
      ops.add(n.kind);
      walk(n.left, prefix);
      walk(n.right, prefix);
    }
  };
  walk(f, '');
  return { ops, attrs };
}

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:user:';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:group:';
const EXACT = new Set(['id', 'externalid']);

function get(o: unknown, key: string): unknown {
  if (!o || typeof o !== 'object') return undefined;
  const rec = o as Record<string, unknown>;
  const k = Object.keys(rec).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : rec[k];
}

/** All values at an attribute path; arrays flatten, complex multi-values compare on `value`. */
export function valuesAt(resource: unknown, path: string): unknown[] {
  let p = path;
  const lower = p.toLowerCase();
  if (lower.startsWith(CORE_USER)) p = p.slice(CORE_USER.length);
  else if (lower.startsWith(CORE_GROUP)) p = p.slice(CORE_GROUP.length);
  let nodes: unknown[] = [resource];
  if (p.toLowerCase().startsWith('urn:')) {
    const cut = p.lastIndexOf(':');
    nodes = [get(resource, p.slice(0, cut))];
    p = p.slice(cut + 1);
  }
  for (const seg of p.split('.')) {
    nodes = nodes.flatMap((n) => {
      const v = get(n, seg);
      return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
    });
  }
  return nodes.map((n) => (n && typeof n === 'object' && 'value' in n ? (n as { value: unknown }).value : n));
}

export function matches(f: Filter, resource: unknown, caseSensitive: boolean): boolean {
  switch (f.kind) {
    case 'and':
      return matches(f.left, resource, caseSensitive) && matches(f.right, resource, caseSensitive);
    case 'or':
      return matches(f.left, resource, caseSensitive) || matches(f.right, resource, caseSensitive);
    case 'not':
      return !matches(f.inner, resource, caseSensitive);
    case 'pr':
      return valuesAt(resource, f.attr).some((v) => v !== '' && v !== null);
    case 'valuePath': {
      const items = get(resource, f.attr);
      return Array.isArray(items) && items.some((it) => matches(f.inner, it, caseSensitive));
    }
    case 'cmp': {
      const exact = caseSensitive || EXACT.has(f.attr.toLowerCase());
      return valuesAt(resource, f.attr).some((v) => compare(v, f.op, f.value, exact));
    }
  }
}

function compare(actual: unknown, op: string, expected: unknown, exact: boolean): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') {
    const a = exact ? actual : actual.toLowerCase();
    const e = exact ? expected : expected.toLowerCase();
    if (op === 'eq') return a === e;
    if (op === 'ne') return a !== e;
    if (op === 'co') return a.includes(e);
    if (op === 'sw') return a.startsWith(e);
    if (op === 'ew') return a.endsWith(e);
    if (op === 'gt') return a > e;
    if (op === 'ge') return a >= e;
    if (op === 'lt') return a < e;
    return a <= e;
  }
  if (op === 'eq') return actual === expected;
  if (op === 'ne') return actual !== expected;
  return false;
}

/** The filter with every term on `members` replaced by one that always holds (a lenient server). */
export function withoutMemberTerms(f: Filter): Filter {
  const always: Filter = { kind: 'pr', attr: 'id' };
  switch (f.kind) {
    case 'and':
    case 'or':
      return { kind: f.kind, left: withoutMemberTerms(f.left), right: withoutMemberTerms(f.right) };
    case 'not':
      return { kind: 'not', inner: withoutMemberTerms(f.inner) };
    default:
      return f.attr.toLowerCase().startsWith('members') ? always : f;
  }
}
