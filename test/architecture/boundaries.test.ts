import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importEdges, sourceFiles } from './imports.ts';

const SRC = resolve(import.meta.dirname, '../../src');
const edges = importEdges(SRC);
const importsOf = (dir: string) => edges.filter((e) => e.from.startsWith(dir));
const packagesOf = (dir: string) =>
  sourceFiles(join(SRC, dir)).flatMap((f) =>
    [
      ...readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)\s[^'";]*?from\s+['"]([^.'"][^'"]*)['"]/gm),
    ].map((m) => m[1]!),
  );

/** The layout in the developers' guide, as checks: each fails when a file crosses its line. */
describe('layer boundaries', () => {
  it('generic HTTP routing knows nothing of Slack', () => {
    expect(importsOf('adapters/http/').filter((e) => e.to.startsWith('adapters/slack/'))).toEqual([]);
  });

  it('adapters take port types from src/ports/, not from app/deps.ts', () => {
    expect(importsOf('adapters/').filter((e) => e.to === 'app/deps.ts')).toEqual([]);
  });

  it('ports import only core and other ports; core imports only core (and zod)', () => {
    expect(importsOf('ports/').filter((e) => !/^(core|ports)\//.test(e.to))).toEqual([]);
    expect(importsOf('core/').filter((e) => !e.to.startsWith('core/'))).toEqual([]);
    expect(new Set(packagesOf('core'))).toEqual(new Set(['zod']));
  });

  it('use cases import no adapter, no SDK and no Node built-in', () => {
    expect(
      importsOf('app/').filter((e) => /^(adapters|playground|cli)\//.test(e.to) || e.to === 'main.ts'),
    ).toEqual([]);
    expect(packagesOf('app').filter((p) => p !== 'zod')).toEqual([]);
  });

  it('deadlines are AbortSignal.timeout, not hand-made timers (a cleared setTimeout is one)', () => {
    const handMade = sourceFiles(SRC).filter((f) => /\bclearTimeout\(/.test(readFileSync(f, 'utf8')));
    expect(handMade).toEqual([]);
  });

  it('src/ never imports test code; the playground runs no fault-injecting directory', () => {
    expect(edges.filter((e) => e.to.startsWith('../'))).toEqual([]);
    expect(
      sourceFiles(join(SRC, 'playground')).some((f) =>
        /faults|takeRule|injectFault/.test(readFileSync(f, 'utf8')),
      ),
    ).toBe(false);
  });
});
