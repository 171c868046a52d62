import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CROCKFORD, clockIds } from '../../src/adapters/ids/ids.ts';

/** Issue 15 item 5: request ids come from the injected clock, in one unambiguous alphabet, and sort by time. */
const SHAPE = new RegExp(`^RC-[${CROCKFORD}]{15}$`);
const at = (ms: number) => ({ now: () => new Date(ms) });
// 2001-09-09 … 2286-11-20: every date a request can carry.
const times = fc.integer({ min: 1_000_000_000_000, max: 9_999_999_999_999 });

describe('request ids', () => {
  it('use Crockford base32 only (no I, L, O, U, no lower case) at a fixed length', () => {
    expect(CROCKFORD).toHaveLength(32);
    expect(CROCKFORD).not.toMatch(/[ILOU]/);
    fc.assert(
      fc.property(times, (ms) => {
        expect(clockIds(at(ms)).next()).toMatch(SHAPE);
      }),
    );
  });

  it('sort by the injected clock: a later time sorts later, whatever the randomness', () => {
    fc.assert(
      fc.property(times, times, fc.uint8Array({ minLength: 4, maxLength: 4 }), (a, b, bytes) => {
        fc.pre(a !== b);
        const id = (ms: number) => clockIds(at(ms), () => bytes).next();
        const [x, y] = [id(a), id(b)];
        expect(x < y).toBe(a < b);
      }),
    );
  });

  it('are strictly increasing from one generator, within one millisecond and when the clock steps back', () => {
    let ms = 1_800_000_000_000;
    const clock = { now: () => new Date(ms) };
    const ids = clockIds(clock, () => new Uint8Array([255, 255, 255, 250]));
    const out: string[] = [];
    for (let i = 0; i < 5; i++) out.push(ids.next());
    ms -= 5_000;
    out.push(ids.next());
    ms += 10_000;
    out.push(ids.next());
    expect(new Set(out).size).toBe(out.length);
    expect([...out].sort()).toEqual(out);
  });

  it('read the time from the injected clock, not the machine', () => {
    const bytes = () => new Uint8Array([1, 2, 3, 4]);
    const a = clockIds(at(1_800_000_000_000), bytes).next();
    expect(clockIds(at(1_800_000_000_000), bytes).next()).toBe(a);
    expect(clockIds(at(1_800_000_000_001), bytes).next()).not.toBe(a);
  });
});
