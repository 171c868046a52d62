/**
 * What every message goes through before any guard, on both extractor paths (issue 13):
 * - a length cap: Slack delivers up to 40 000 characters; a role request is never that long, and
 *   refusing early bounds the work of everything after it;
 * - NFKC, so fullwidth and styled letters (ｉｆ, 𝐢𝐟, ⓘⓕ) are the letters they show;
 * - default-ignorable code points removed (zero-width spaces and joiners, soft hyphens, word
 *   joiners, BOM, bidi controls, variation selectors, tag characters), so "ig\u200Bnore" is "ignore"
 *   for the guards and the model sees no hidden text;
 * - `<`, `>` and `&` that NFKC made out of other characters (＜ ＞ ＆) encoded the way Slack encodes
 *   typed ones, so a fullwidth `＜@U999＞` never turns into a mention.
 * Look-alike letters from other scripts are not rewritten into the text (that would invent names);
 * the guards read a Latin skeleton of it instead, and a word that mixes scripts is suspicious.
 */
export const MAX_TEXT = 4000;

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const MADE_BY_NFKC: Record<string, string> = {
  '\uFE64': '&lt;',
  '\uFF1C': '&lt;',
  '\uFE65': '&gt;',
  '\uFF1E': '&gt;',
  '\uFE60': '&amp;',
  '\uFF06': '&amp;',
};
const LINE_BREAKS = /[\u2028\u2029\u0085]/g;

export function normalise(text: string): string {
  let s = text
    .replace(IGNORABLE, '')
    .replace(/[\uFE64\uFF1C\uFE65\uFF1E\uFE60\uFF06]/g, (c) => MADE_BY_NFKC[c] ?? '');
  s = s.normalize('NFKC').replace(IGNORABLE, '').replace(LINE_BREAKS, '\n');
  return s;
}

/** The text every guard and the parser read, or undefined when it is too long to be a request. */
export function admitText(text: string): string | undefined {
  // The raw length first: normalising 40 000 characters is cheap, but there is no need.
  if (text.length > MAX_TEXT) return undefined;
  const s = normalise(text);
  // NFKC can lengthen a text ("ﷺ" is 18 letters).
  return s.length > MAX_TEXT ? undefined : s;
}

/** Letters from other scripts that look like Latin ones: "іf" (Cyrillic і), "ЅYЅTEM", "nοt" (Greek ο). */
const SKELETON: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  с: 'c',
  е: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  ѕ: 's',
  т: 't',
  у: 'y',
  х: 'x',
  ү: 'y',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  А: 'A',
  В: 'B',
  С: 'C',
  Е: 'E',
  Н: 'H',
  І: 'I',
  Ј: 'J',
  К: 'K',
  М: 'M',
  О: 'O',
  Р: 'P',
  Ѕ: 'S',
  Т: 'T',
  Х: 'X',
  У: 'Y',
  Ү: 'Y',
  Ԁ: 'D',
  Ԛ: 'Q',
  Ԝ: 'W',
  Ӏ: 'I',
  // Greek
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  // Armenian and Latin letters that NFKC leaves alone
  օ: 'o',
  ո: 'n',
  ս: 'u',
  հ: 'h',
  ı: 'i',
  ȷ: 'j',
  ɑ: 'a',
  ɡ: 'g',
  ǀ: 'l',
};
const CONFUSABLE = new RegExp(`[${Object.keys(SKELETON).join('')}]`, 'g');

/** Same length as the input (one code unit for one), so offsets still line up. */
export function skeleton(text: string): string {
  return text.replace(CONFUSABLE, (c) => SKELETON[c] ?? c);
}

const LETTERS = /[\p{L}\p{M}]+/gu;
const SCRIPTS: [string, RegExp][] = [
  ['latin', /\p{Script=Latin}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['armenian', /\p{Script=Armenian}/u],
  ['cherokee', /\p{Script=Cherokee}/u],
  // Japanese writes one word in three scripts; they count as one here.
  ['cjk', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u],
];

/** True when some word mixes letters of two scripts ("аdmin" with a Cyrillic а): a disguise. */
export function mixesScripts(text: string): boolean {
  for (const m of text.matchAll(LETTERS)) {
    const word = m[0];
    if (/^[a-z]+$/i.test(word)) continue;
    const seen = new Set<string>();
    for (const ch of word) {
      if (/\p{M}/u.test(ch)) continue;
      seen.add(SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? 'other');
      if (seen.size > 1) return true;
    }
  }
  return false;
}
