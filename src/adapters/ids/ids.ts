import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../../ports/clock.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Short, sortable-enough, unambiguous ids people can read out: `RC-` + time + randomness. */
export const randomIds: IdGenerator = {
  next() {
    const t = Date.now().toString(32).toUpperCase();
    const r = [...randomBytes(6)].map((b) => ALPHABET[b % 32]).join('');
    return `RC-${t}${r}`;
  },
};
