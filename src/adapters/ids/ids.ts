import { randomBytes } from 'node:crypto';
import type { Clock, IdGenerator } from '../../ports/clock.ts';

/**
 * Crockford's base32 (https://www.crockford.com/base32.html): digits and capitals without I, L, O
 * and U, so an id read out loud or copied by hand cannot be misread. In ASCII order, so ids of
 * equal length sort like the numbers they encode.
 */
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 9 characters = 45 bits of milliseconds: fixed width until the year 3084. */
const TIME_CHARS = 9;
const RANDOM_CHARS = 6;

function encode(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = CROCKFORD[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

/**
 * Request and reference ids: `RC-` + the injected clock's milliseconds (9 chars) + 30 random bits
 * (6 chars), all Crockford base32. Sorting ids sorts them by creation time; within one millisecond
 * (or if the clock steps back) the previous id's random part is incremented, so one generator's
 * ids are strictly increasing, as in ULID's monotonic mode.
 */
export function clockIds(clock: Clock, random: (bytes: number) => Uint8Array = randomBytes): IdGenerator {
  let lastTime = -1;
  let lastRandom = 0;
  const fresh = () => {
    const b = random(4);
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 2;
  };
  return {
    next() {
      let t = clock.now().getTime();
      let r: number;
      if (t > lastTime) r = fresh();
      else {
        // Same millisecond, or the clock stepped back: continue from the previous id.
        t = lastTime;
        r = lastRandom + 1;
        if (r >= 32 ** RANDOM_CHARS) {
          t = lastTime + 1;
          r = fresh();
        }
      }
      lastTime = t;
      lastRandom = r;
      return `RC-${encode(t, TIME_CHARS)}${encode(r, RANDOM_CHARS)}`;
    },
  };
}
