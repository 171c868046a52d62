/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl, so "until 5pm" means 5pm where
 * the requester is, across DST changes, without a date library.
 */
export interface Wall {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** A usable zone: the given one when Intl knows it, else UTC. */
export function zoneOrUtc(timeZone: string | undefined): string {
  return timeZone && isValidTimeZone(timeZone) ? timeZone : 'UTC';
}

export function wallClock(instant: Date, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Day of week of a calendar date (0 = Sunday), independent of any zone. */
export function weekday(w: Pick<Wall, 'year' | 'month' | 'day'>): number {
  return new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
}

/** Calendar date `days` after the given one (normalises month/year overflow). */
export function addDays(w: Wall, days: number): Wall {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function wallAsUtcMs(w: Wall): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** Minutes east of UTC at that instant in that zone. */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const ms = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((wallAsUtcMs(wallClock(new Date(ms), timeZone)) - ms) / 60_000);
}

/**
 * The instant a wall-clock time happens in a zone. In a DST gap (a time that does not exist) the
 * later offset wins, which moves the time forward by the gap; in an overlap the earlier one wins.
 */
export function instantOf(w: Wall, timeZone: string): Date {
  const asUtc = wallAsUtcMs(w);
  // The offsets in force a day either side cover both sides of any DST change near this time.
  const candidates = [
    ...new Set([-24, 0, 24].map((h) => offsetMinutes(new Date(asUtc + h * 3_600_000), timeZone))),
  ]
    .map((off) => asUtc - off * 60_000)
    .sort((a, b) => a - b);
  const exact = candidates.find((t) => wallAsUtcMs(wallClock(new Date(t), timeZone)) === asUtc);
  return new Date(exact ?? candidates[candidates.length - 1] ?? asUtc);
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** ISO 8601 with the zone's offset at that instant, e.g. 2025-03-12T17:00:00+01:00. */
export function isoWithOffset(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  const off = offsetMinutes(instant, timeZone);
  const sign = off < 0 ? '-' : '+';
  const tz = `${sign}${pad(Math.trunc(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${tz}`;
}
