import { describe, expect, it } from 'vitest';
import { findDurations } from '../../src/adapters/intent/duration-finder.ts';
import { parseDurationPhrase, parseSpan } from '../../src/adapters/intent/durations.ts';
import { instantOf, isoWithOffset } from '../../src/adapters/intent/zoned-time.ts';

// Wednesday 2025-03-12 15:00 UTC.
const now = new Date('2025-03-12T15:00:00Z');
const at = (timeZone: string, at = now) => ({ now: at, timeZone });
const H = 3_600_000;

describe('spans', () => {
  it.each([
    ['for 2h', 2 * H],
    ['for 2 hours', 2 * H],
    ['for 30 minutes', 30 * 60_000],
    ['for a day', 24 * H],
    ['for 90 min', 90 * 60_000],
    ['for an hour and a half', 1.5 * H],
    ['for half an hour', 0.5 * H],
    ['for 2h30m', 2.5 * H],
    ['for 2 hours and 30 minutes', 2.5 * H],
    ['for 1.5 hours', 1.5 * H],
    ['for the next 2 hours', 2 * H],
    ['for two weeks', 14 * 24 * H],
    ['for a 2-hour window', undefined],
    ['2h', 2 * H],
  ])('%s', (phrase, ms) => {
    const v = parseDurationPhrase(phrase, at('UTC'));
    expect(v).toEqual(ms === undefined ? undefined : { durationMs: ms });
  });

  it('rejects what is not a clean length', () => {
    for (const p of ['for 0 hours', 'for 3 months', 'for a while', 'in 2 hours', 'for one h', 'for 400 days'])
      expect(parseDurationPhrase(p, at('UTC')), p).toBeUndefined();
    expect(parseSpan('and hours')).toBeUndefined();
  });
});

describe('end points in the requester’s zone', () => {
  it.each([
    ['until 5pm', 'UTC', '2025-03-12T17:00:00+00:00'],
    ['until 3pm', 'UTC', '2025-03-13T15:00:00+00:00'],
    ['until 17:30', 'UTC', '2025-03-12T17:30:00+00:00'],
    ['until noon', 'UTC', '2025-03-13T12:00:00+00:00'],
    ['until Friday', 'UTC', '2025-03-14T00:00:00+00:00'],
    ['until wednesday', 'UTC', '2025-03-19T00:00:00+00:00'],
    ['until friday 5pm', 'UTC', '2025-03-14T17:00:00+00:00'],
    ['until monday at 10:30', 'UTC', '2025-03-17T10:30:00+00:00'],
    ['until tomorrow', 'UTC', '2025-03-13T00:00:00+00:00'],
    ['until tomorrow 9am', 'UTC', '2025-03-13T09:00:00+00:00'],
    ['until 9am tomorrow', 'UTC', '2025-03-13T09:00:00+00:00'],
    ['until end of day', 'UTC', '2025-03-13T00:00:00+00:00'],
    ['till EOD', 'UTC', '2025-03-13T00:00:00+00:00'],
    ['until end of week', 'UTC', '2025-03-15T00:00:00+00:00'],
    ['for the rest of the day', 'UTC', '2025-03-13T00:00:00+00:00'],
    ['until 2025-03-20', 'UTC', '2025-03-20T00:00:00+00:00'],
    ['until 2025-03-20T10:00:00+02:00', 'UTC', '2025-03-20T08:00:00+00:00'],
    ['until March 20', 'UTC', '2025-03-20T00:00:00+00:00'],
    ['until 20th of March', 'UTC', '2025-03-20T00:00:00+00:00'],
    ['until 5pm', 'America/New_York', '2025-03-12T17:00:00-04:00'],
    ['until 5pm', 'Europe/Berlin', '2025-03-12T17:00:00+01:00'],
    ['until tomorrow', 'Asia/Tokyo', '2025-03-14T00:00:00+09:00'],
    ['until Friday', 'Asia/Kolkata', '2025-03-14T00:00:00+05:30'],
    ['until 5pm', 'Not/AZone', '2025-03-12T17:00:00+00:00'],
  ])('%s in %s', (phrase, tz, until) => {
    expect(parseDurationPhrase(phrase, at(tz))).toEqual({ until });
  });

  it('crosses a DST change on wall-clock time', () => {
    // Saturday 2025-03-29 13:00 in Berlin (+01:00); clocks go forward on Sunday.
    const sat = new Date('2025-03-29T12:00:00Z');
    expect(parseDurationPhrase('until Monday', at('Europe/Berlin', sat))).toEqual({
      until: '2025-03-31T00:00:00+02:00',
    });
    // 02:30 does not exist that night: it moves forward by the gap.
    const gap = instantOf({ year: 2025, month: 3, day: 30, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin');
    expect(isoWithOffset(gap, 'Europe/Berlin')).toBe('2025-03-30T03:30:00+02:00');
    // 02:30 happens twice when clocks go back: the first one is meant.
    const twice = instantOf(
      { year: 2025, month: 10, day: 26, hour: 2, minute: 30, second: 0 },
      'Europe/Berlin',
    );
    expect(isoWithOffset(twice, 'Europe/Berlin')).toBe('2025-10-26T02:30:00+02:00');
  });

  it('rolls a date long past into next year, but not one just missed', () => {
    const december = new Date('2025-12-20T10:00:00Z');
    expect(parseDurationPhrase('until Jan 5', at('UTC', december))).toEqual({
      until: '2026-01-05T00:00:00+00:00',
    });
    expect(parseDurationPhrase('until Jan 5', at('UTC'))).toBeUndefined();
  });

  it('refuses past, vague and ambiguous points', () => {
    for (const p of [
      'until 5',
      'until next friday',
      'until March 10',
      'until 2024-01-01',
      'until tonight',
      'until 25:00',
    ])
      expect(parseDurationPhrase(p, at('UTC')), p).toBeUndefined();
  });

  it('a bare clock time or day is not an end (it could be a start)', () => {
    expect(parseDurationPhrase('5pm', at('UTC'))).toBeUndefined();
    expect(parseDurationPhrase('Friday', at('UTC'))).toBeUndefined();
  });
});

describe('finding durations in a message', () => {
  const find = (t: string) => findDurations(t, at('UTC')).map((d) => [d.phrase, d.value !== undefined]);

  it('finds understood phrases and keeps reasons out of them', () => {
    expect(find('make me admin for 2 hours because prod is down')).toEqual([['for 2 hours', true]]);
    expect(find('make me admin until Friday for the audit')).toEqual([['until Friday', true]]);
    expect(find('make me admin for the Q3 audit')).toEqual([]);
    expect(find('make me owner for INC-4521')).toEqual([]);
  });

  it('flags time-like phrases it does not understand', () => {
    expect(find('give bob editor for a while')).toEqual([['for a while', false]]);
    expect(find('temporarily make me admin')).toEqual([['temporarily', false]]);
    expect(find('make me admin in 2 hours')).toEqual([['2 hours', false]]);
    expect(find('make me admin for 2')).toEqual([['for 2', false]]);
    expect(find('make me admin until the cows come home')).toEqual([['until the cows come home', false]]);
  });
});
