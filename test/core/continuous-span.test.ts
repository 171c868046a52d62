import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/core/policy.ts';
import { ask, HOUR, sampleTenant, tenantOf } from './policy-fixtures.ts';

/**
 * Issue 13 finding 5: maxDuration bounds the continuous span a grant creates, not just the length
 * of one grant. `heldMs` is how long a running grant of the same role has already covered the target.
 */
describe('maxDuration judges the continuous span', () => {
  const acme = sampleTenant();
  const self = { target: { isRequester: true } };

  it('"make me an editor for 24 hours" at +23 h under a 24 h rule is judged as 47 h and refused', () => {
    const d = evaluate(acme, ask([], 'editor', { ...self, durationMs: 24 * HOUR, heldMs: 23 * HOUR }));
    expect(d).toMatchObject({ kind: 'deny', reason: 'duration_exceeds_max', ruleId: 'rule-4' });
    expect(d.kind === 'deny' && d.detail).toContain('1d 23h continuous');
  });

  it('what still fits is allowed; no duration asked gets only the rest of the span', () => {
    expect(evaluate(acme, ask([], 'editor', { ...self, durationMs: HOUR, heldMs: 23 * HOUR }))).toMatchObject(
      { kind: 'needs_approval', durationMs: HOUR, capped: false },
    );
    expect(evaluate(acme, ask([], 'editor', { ...self, heldMs: 20 * HOUR }))).toMatchObject({
      kind: 'needs_approval',
      durationMs: 4 * HOUR,
      capped: true,
    });
  });

  it('with approval none, asking again before the end cannot renew for ever', () => {
    const t = tenantOf({
      roles: { viewer: {}, editor: {} },
      rules: [
        {
          who: ['anyone'],
          can: ['grant'],
          roles: ['editor'],
          target: 'self',
          maxDuration: '24h',
          allowAboveOwnLevel: true,
        },
      ],
    });
    const me = { target: { isRequester: true } };
    expect(evaluate(t, ask([], 'editor', { ...me, durationMs: 24 * HOUR }))).toMatchObject({ kind: 'allow' });
    expect(evaluate(t, ask([], 'editor', { ...me, durationMs: 24 * HOUR, heldMs: 23 * HOUR }))).toMatchObject(
      {
        kind: 'deny',
        reason: 'duration_exceeds_max',
      },
    );
    // The span is used up: nothing more, asked with or without a duration.
    for (const durationMs of [60_000, undefined])
      expect(evaluate(t, ask([], 'editor', { ...me, durationMs, heldMs: 24 * HOUR }))).toMatchObject({
        kind: 'deny',
        reason: 'duration_exceeds_max',
      });
  });

  it('overMax: cap trims the new grant to what is left of the span', () => {
    const t = tenantOf({
      roles: { editor: {} },
      rules: [
        {
          who: ['anyone'],
          can: ['grant'],
          roles: ['editor'],
          maxDuration: '8h',
          overMax: 'cap',
          allowAboveOwnLevel: true,
        },
      ],
    });
    expect(evaluate(t, ask([], 'editor', { durationMs: 8 * HOUR, heldMs: 5 * HOUR }))).toMatchObject({
      kind: 'allow',
      durationMs: 3 * HOUR,
      capped: true,
    });
  });

  it('a held time that is not a whole, non-negative number of ms fails closed', () => {
    for (const heldMs of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY])
      expect(evaluate(acme, ask([], 'editor', { ...self, durationMs: HOUR, heldMs }))).toMatchObject({
        kind: 'deny',
        reason: 'invalid_duration',
      });
  });

  it('rules without maxDuration ignore the held time', () => {
    expect(
      evaluate(acme, ask(['admin'], 'editor', { durationMs: 48 * HOUR, heldMs: 100 * HOUR })),
    ).toMatchObject({ kind: 'allow', durationMs: 48 * HOUR });
  });

  it('property: whatever is held and asked, held + granted never exceeds maxDuration', () => {
    const H = 60_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 48 }),
        fc.constantFrom('deny', 'cap'),
        fc.option(fc.integer({ min: 1, max: 72 * 60 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 72 * 60 }), { nil: undefined }),
        (maxHours, overMax, askedMin, heldMin) => {
          const t = tenantOf({
            roles: { editor: {} },
            rules: [
              {
                who: ['anyone'],
                can: ['grant'],
                roles: ['editor'],
                maxDuration: `${maxHours}h`,
                overMax,
                allowAboveOwnLevel: true,
              },
            ],
          });
          const durationMs = askedMin === undefined ? undefined : askedMin * H;
          const heldMs = heldMin === undefined ? undefined : heldMin * H;
          const d = evaluate(t, ask([], 'editor', { durationMs, heldMs }));
          const max = maxHours * HOUR;
          if (d.kind === 'deny') {
            expect(d.reason).toBe('duration_exceeds_max');
            expect(
              (heldMs ?? 0) >= max || (overMax === 'deny' && (heldMs ?? 0) + (durationMs ?? 0) > max),
            ).toBe(true);
            return;
          }
          expect(d.durationMs).toBeDefined();
          expect((heldMs ?? 0) + d.durationMs!).toBeLessThanOrEqual(max);
          if (durationMs !== undefined && (heldMs ?? 0) + durationMs <= max)
            expect(d.durationMs).toBe(durationMs);
          // Nothing held: the same decision as without heldMs.
          if (!heldMs) expect(d).toEqual(evaluate(t, ask([], 'editor', { durationMs })));
        },
      ),
    );
  });
});
