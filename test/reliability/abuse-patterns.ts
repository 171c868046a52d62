import { readFileSync } from 'node:fs';
import { guardReason, parseOffline } from '../../src/adapters/intent/offline-parser.ts';
import { groundAll } from '../../src/adapters/llm/grounding.ts';
import { longInputs } from './abuse-long-inputs.ts';

/**
 * Every regular expression the guards, the parser and grounding run while reading messages,
 * recorded at run time (so patterns built with `new RegExp` are included): `RegExp.prototype.exec`
 * is wrapped while a corpus goes through the pipeline, and a pattern is kept when the nearest
 * caller outside the engine is a file of ours. The ReDoS test hands each one to recheck.
 */
const OURS = /\/src\/adapters\/(intent|llm)\//;
const roles = ['viewer', 'editor', 'billing-admin', 'admin', 'owner'];
const now = new Date('2025-03-12T15:00:00Z');

function corpus(): string[] {
  const lines = (f: string) =>
    readFileSync(new URL(f, import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { text: string }).text);
  return [
    ...lines('../../eval/intents.jsonl'),
    ...lines('./abuse-corpus.jsonl'),
    ...longInputs(300).map((i) => i.text),
  ];
}

const CALLS = [
  { kind: 'me', value: '' },
  { kind: 'name', value: 'bob' },
  { kind: 'slack_user', value: 'U01DANA' },
  { kind: 'email', value: 'x@corp.io' },
].map((target) => ({
  name: 'request_role_change',
  input: {
    action: 'grant',
    targets: [target],
    role: 'admin',
    duration_phrase: 'for 2 hours',
    justification: 'x',
  },
}));

export function recordPatterns(): RegExp[] {
  const seen = new Map<string, RegExp>();
  const exec = RegExp.prototype.exec;
  let inside = false;
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    if (!inside) {
      inside = true;
      try {
        const caller = (new Error().stack ?? '')
          .split('\n')
          .slice(2)
          .find((l) => l.includes('file:') || l.includes('(/'));
        if (caller && OURS.test(caller) && !caller.includes('node_modules'))
          seen.set(`${this.source}/${this.flags}`, new RegExp(this.source, this.flags));
      } finally {
        inside = false;
      }
    }
    return exec.call(this, s);
  };
  try {
    for (const text of corpus()) {
      parseOffline({ text, roles, now, timeZone: 'UTC' });
      guardReason(text);
      groundAll(CALLS, { text, roles, now, timeZone: 'UTC' });
    }
  } finally {
    RegExp.prototype.exec = exec;
  }
  return [...seen.values()];
}
