/**
 * Long adversarial messages for the guards, the parser and grounding: each one aims at a pattern or
 * loop that once backtracked or re-scanned (issue 13, finding 1). Shared by the ReDoS property test
 * and `npm run bench -- guards`. Every text is exactly `size` characters (Slack allows 40 000).
 */
export interface LongInput {
  name: string;
  text: string;
}

const fill = (head: string, unit: string, size: number, tail = ''): string => {
  const room = Math.max(0, size - head.length - tail.length);
  return (head + unit.repeat(Math.ceil(room / unit.length)).slice(0, room) + tail).slice(0, size);
};

/** The pieces the generators below repeat; the property test recombines them at random. */
export const HOSTILE_PIECES = [
  '\n',
  ' ',
  '\t',
  '[',
  '(',
  '#',
  '*',
  ':',
  '-',
  '%',
  '+',
  '.',
  '_',
  ',',
  '@',
  '<',
  '>',
  '&lt;',
  '`',
  '~',
  '"',
  ' and ',
  ' , ',
  'system',
  'ignore ',
  'the ',
  'all ',
  'make ',
  'bob',
  ' admin',
  ' for 2h',
  ' for ',
  '2',
  ' until ',
  ' because ',
  '<@U01DANA>',
  ':pray:',
  '\u200b',
  'а',
];

export function longInputs(size: number): LongInput[] {
  return [
    // Finding 1 as reported: a request and a wall of newlines (the `^\s*…\s*` injection pattern).
    { name: 'request + newlines', text: fill('make me an admin', '\n', size) },
    { name: 'newlines + spaces', text: fill('', '\n \t', size, 'x') },
    { name: 'brackets and newlines', text: fill('', '\n[(#* ', size, 'systemx') },
    // The tokenizer's email pattern on runs of its local-part characters.
    { name: 'email local part run', text: fill('make ', '-%+._', size) },
    { name: 'email run then @', text: fill('', '-%+._', size - 2, '@x') },
    { name: 'dotted word', text: fill('a', '.-', size, 'x') },
    // The clause splitter: commas and joiners after a word, and punctuation before one.
    { name: 'commas after a word', text: fill('make bob', ' ,', size) },
    { name: 'commas before a word', text: fill('', ', ', size, 'bob') },
    { name: 'and and and', text: fill('make bob', ' and', size, ' admin') },
    { name: 'many clauses', text: fill('', 'make bob admin and ', size) },
    // Durations: a number then whitespace, a wall of spans, "for" everywhere.
    { name: 'digit + spaces', text: fill('make bob admin for 2', ' ', size, 'x') },
    { name: 'spans', text: fill('make bob admin', ' for 2h and', size) },
    { name: 'for for for', text: fill('make bob admin', ' for', size) },
    { name: 'until until', text: fill('make bob admin', ' until', size) },
    // Injection patterns with bounded gaps and tags that never close.
    { name: 'ignore the', text: fill('', 'ignore the ', size) },
    { name: 'ignore all previous', text: fill('', 'ignore all previous ', size) },
    { name: 'unclosed tags', text: fill('', '&lt;message ', size) },
    { name: 'open angle + spaces', text: fill('&lt;', ' ', size, 'x') },
    { name: 'hashes', text: fill('', '#', size, 'x') },
    { name: 'pipes', text: fill('', '<|a', size) },
    // Quotes, code, strikethrough and emoji that never close.
    { name: 'unclosed quotes', text: fill('make bob admin ', '"a ', size) },
    { name: 'backticks', text: fill('', '` a', size) },
    { name: 'tildes', text: fill('', ' ~a', size) },
    { name: 'emoji colons', text: fill('', ' :a', size) },
    // Slack tokens that never close, and mentions everywhere.
    { name: 'unclosed slack tokens', text: fill('', '<@U', size) },
    { name: 'mentions', text: fill('make ', '<@U01DANA> ', size, 'admin') },
    { name: 'at names', text: fill('make ', '@a', size) },
    // Unicode: format characters and mixed scripts all the way.
    { name: 'zero-width', text: fill('make me admin', '\u200b', size) },
    { name: 'mixed scripts', text: fill('', 'аdmin ', size) },
    { name: 'fullwidth', text: fill('', 'ａｄｍｉｎ ', size) },
    { name: 'one long word', text: fill('make ', 'a', size) },
    { name: 'role words', text: fill('', 'admin ', size) },
    { name: 'possessives', text: fill('', "bob's ", size) },
  ];
}
