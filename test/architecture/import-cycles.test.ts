import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cycles, importEdges } from './imports.ts';

const SRC = resolve(import.meta.dirname, '../../src');

/**
 * Type-only cycles (erased at run time) known today, each with the branch that removes it. A new
 * one, or any runtime cycle, fails this test.
 */
const KNOWN_TYPE_CYCLES: string[][] = [
  // inbound.ts declares the use cases' surface, whose form types live with the form use case, and
  // that use case takes a ButtonClick. Erased at run time; moving the form types would end it.
  ['app/inbound.ts', 'app/request-form.ts'],
];

describe('import graph of src/', () => {
  const edges = importEdges(SRC);

  it('has no runtime import cycle (static or dynamic import)', () => {
    expect(cycles(edges.filter((e) => !e.typeOnly))).toEqual([]);
  });

  it('has no type-import cycle beyond the known ones', () => {
    const known = new Set(KNOWN_TYPE_CYCLES.map((c) => c.join(' ')));
    expect(cycles(edges).filter((c) => !known.has(c.join(' ')))).toEqual([]);
  });

  it('main.ts does not import the playground; the playground builds on main.ts', () => {
    expect(edges.some((e) => e.from === 'main.ts' && e.to.startsWith('playground/'))).toBe(false);
    expect(edges.some((e) => e.from === 'playground/index.ts' && e.to === 'main.ts' && !e.typeOnly)).toBe(
      true,
    );
  });
});

describe('the cycle finder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-cycles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (p: string, text: string) => {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  };

  it('sees a cycle through a dynamic import, and tells type-only edges apart', () => {
    write('a.ts', "import { b } from './b/b.ts';\nexport const a = 1;\n");
    write('b/b.ts', "export const b = async () => (await import('../a.ts')).a;\n");
    write('c.ts', "import type { D } from './d.ts';\nexport type C = D;\n");
    write('d.ts', "import {\n  type C,\n} from './c.ts';\nexport type D = C;\n");
    const edges = importEdges(dir);
    expect(cycles(edges.filter((e) => !e.typeOnly))).toEqual([['a.ts', 'b/b.ts']]);
    expect(cycles(edges)).toEqual(expect.arrayContaining([['c.ts', 'd.ts']]));
  });
});
