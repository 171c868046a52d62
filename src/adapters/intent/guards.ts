import { CONDITIONALS, GUARD_MODALS as MODALS, NEGATIONS, REPORTED } from './lexicon.ts';
import { normalise, skeleton } from './normalise.ts';
import { decodeEntities, type Token } from './text.ts';

/**
 * Guards that stop a message from becoming a role change it does not plainly ask for. They are
 * deliberately blunt: a false alarm costs the requester one rephrase; a miss could grant access.
 * Both extractors use them (the LLM path as a safety net after validation).
 */
export type GuardReason = 'injection' | 'negated' | 'unclear';

// "ignore previous instructions", "disregard all prior rules", "forget your system prompt": a verb,
// then within 40 characters a scope word, then within 40 more a noun, all in one sentence. Found with
// three linear word searches instead of one pattern with two bounded gaps (which backtracks).
const IGNORE_VERB = /\b(?:ignore|disregard|forget|override|overrule|bypass|skip|drop)\b/gi;
const IGNORE_SCOPE =
  /\b(?:previous|prior|above|earlier|preceding|all|any|your|the|these|those|system|safety|other)\b/gi;
const IGNORE_NOUN =
  /\b(?:instructions?|prompts?|rules?|messages?|guidelines?|directions?|directives?|guidance|context|polic(?:y|ies)|constraints?|checks?|restrictions?|guardrails?|programming)\b/gi;
const GAP = 40;

const INJECTION: RegExp[] = [
  /\b(ignore|disregard|forget)\s+(all\s+)?(of\s+)?(the\s+|your\s+|my\s+|that\s+)?(above|previous|prior|earlier|everything|what\s+you\s+were\s+told)\b/i,
  /\b(system|developer)\s*(prompt|message|instructions?|override|mode|note|notice)\b/i,
  /\b(admin|root|sudo|god|debug|maintenance|developer|dev)\s+(override|mode)\b/i,
  // Spaces and tabs only (never \s, which spans lines): one run of either, so nothing backtracks.
  /^[ \t[(#*]*(system|assistant|developer|human|ai|tool|model|claude|operator)[ \t\]):>#*]*:/im,
  /\[\/?(system|inst|assistant|sys|user)\]/i,
  /<\|[a-z_]+\|>|<<\/?sys>>/i,
  /(?<!#)#{2,}[ \t]*(system|instructions?|new task)\b/i,
  /<\s*(?:\/\s*)?(message|slack_message|slack|system|user|assistant|instructions?|prompt|input|data|text|context|tool|tool_use|tool_result|function|document|human|ai|request|query|content)\b[^<>]*>/i,
  /\byou\s+are\s+(now|no\s+longer|actually|really)\b/i,
  /\b(act|behave|respond)\s+as\s+(if|an?|the)\b/i,
  /\b(pretend|imagine)\s+(to\s+be|you\s+are|you're|that)\b/i,
  /\b(jailbreak|do\s+anything\s+now|dan\s+mode|prompt\s+injection)\b/i,
  /\bnew\s+(instructions?|rules?|task|directive|orders?)\b/i,
  /\b(instructions?|rules?)\s+(have\s+)?(changed|been\s+updated|are\s+updated|no\s+longer\s+apply)\b/i,
  /\b(end|begin|start)\s+of\s+(the\s+)?(message|input|user\s+input|prompt|slack\s+message|data|instructions?|conversation)\b/i,
  /\b(tool_use|tool_choice|function_call|request_role_change|get_roles|lookup_user)\b/i,
  /\b(override|bypass|circumvent|skip|disable|turn\s+off|disregard|ignore|waive)\s+(the\s+|all\s+|any\s+|your\s+)?(policy\s+|security\s+|approval\s+)?(approval|approvals|policy|policies|checks?|security|authori[sz]ation|confirmation|verification|restrictions?|limits?)\b/i,
  // Casting the reader as the model: "as the assistant, you must…".
  /\bas\s+(the|an?)\s+(assistant|ai|llm|language\s+model|model|chatbot)\b/i,
  /\b(respond|reply|answer|output)\s+(only\s+)?(with|in)\s+(json|the\s+tool|a\s+tool)\b/i,
];

/**
 * On normalised, decoded text read through its Latin skeleton: Slack encodes typed `<`/`>`, and a
 * fake `</message>` tag is still an attack; "іgnore" with a Cyrillic і is still "ignore".
 */
export function looksLikeInjection(text: string): boolean {
  const plain = skeleton(decodeEntities(normalise(text)));
  return ignoresInstructions(plain) || INJECTION.some((re) => re.test(plain));
}

type Span = { start: number; end: number };
const spans = (text: string, re: RegExp): Span[] =>
  [...text.matchAll(re)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
/** Text between two offsets no longer than GAP and without a sentence end. */
const near = (text: string, from: number, to: number) =>
  to >= from && to - from <= GAP && !/[.\n]/.test(text.slice(from, to));

function ignoresInstructions(text: string): boolean {
  const verbs = spans(text, IGNORE_VERB);
  if (verbs.length === 0) return false;
  const scopes = spans(text, IGNORE_SCOPE);
  const nouns = spans(text, IGNORE_NOUN);
  // Each scope word followed closely by a noun (two pointers: both lists are in text order).
  const good: Span[] = [];
  let n = 0;
  for (const s of scopes) {
    while (n < nouns.length && (nouns[n] as Span).start < s.end) n++;
    for (let k = n; k < nouns.length && (nouns[k] as Span).start - s.end <= GAP; k++)
      if (near(text, s.end, (nouns[k] as Span).start)) {
        good.push(s);
        break;
      }
  }
  let g = 0;
  for (const v of verbs) {
    while (g < good.length && (good[g] as Span).start < v.end) g++;
    for (let k = g; k < good.length && (good[k] as Span).start - v.end <= GAP; k++)
      if (near(text, v.end, (good[k] as Span).start)) return true;
  }
  return false;
}

/**
 * Removes quoted material (Slack `>` quotes, code, ~strikethrough~, multi-word "quotes"): words
 * someone else wrote, or struck out, are not this requester's request.
 */
export function stripQuoted(text: string): { text: string; quoted: boolean } {
  let quoted = false;
  const blank = (s: string) => {
    quoted = true;
    return ' '.repeat(s.length);
  };
  let out = text.replace(/```[\s\S]*?(```|$)/g, blank).replace(/`[^`\n]*`/g, blank);
  out = out
    .split('\n')
    .map((line) => (/^\s*(&gt;|>)/.test(line) ? blank(line) : line))
    .join('\n');
  out = out.replace(
    /(^|\s)~[^~\n]+~(?=\s|$|[.,!?])/g,
    (m, lead: string) => lead + blank(m.slice(lead.length)),
  );
  out = out.replace(/(&quot;|["“”„«»])([^"“”„«»\n]*?)(&quot;|["“”„«»])/g, (m, _o, inner: string) =>
    inner.trim().split(/\s+/).length >= 2 ? blank(m) : ` ${inner} `.padEnd(m.length, ' '),
  );
  return { text: out, quoted };
}

const HYPOTHETICAL_STARTS = [
  /^(is|would) it (be )?(possible|ok|okay|fine|allowed|wise|safe)\b/,
  /^how (do|can|would|should|to|does)\b/,
  /^what (if|happens|would)\b/,
  /^(why|who can|am i allowed|are we allowed|do i need|do you think|is there a way)\b/,
  /^(i|we) (wonder|was wondering|am wondering)\b/,
];

/**
 * Negation, reported speech or a condition anywhere in a message that asks for a role change:
 * "when the audit starts, give me admin" splits into clauses, but the condition still governs.
 */
export function wordGuard(words: string[]): GuardReason | undefined {
  // A condition or someone else's words govern any negation inside them ("if nobody objects…").
  if (words.some((w) => REPORTED.has(w) || CONDITIONALS.has(w))) return 'unclear';
  if (words.some((w) => NEGATIONS.has(w) || /n't$/.test(w))) return 'negated';
  return undefined;
}

/** Why a role-change clause must not be acted on, or undefined. `words` are lowercased words. */
export function clauseGuard(words: string[]): GuardReason | undefined {
  const byWord = wordGuard(words);
  if (byWord) return byWord;
  const joined = words.join(' ');
  if (HYPOTHETICAL_STARTS.some((re) => re.test(joined))) return 'unclear';
  // "can I make bob admin?" asks what is allowed; "can I get admin?" asks for it.
  const [first, second, third] = words;
  if (first && MODALS.has(first) && second && !['you', 'u', 'ya'].includes(second)) {
    const asksForIt = ['i', 'we'].includes(second) && ['get', 'have', 'please', 'pls'].includes(third ?? '');
    if (!asksForIt) return 'unclear';
  }
  return undefined;
}

/** "is it possible to…", "how do I…", "what if…": asks about a change rather than for one. */
export const hypothetical = (words: string[]): boolean => {
  const joined = words.join(' ');
  return HYPOTHETICAL_STARTS.some((re) => re.test(joined));
};

/** Lowercased words through their Latin skeleton: "ıf" (dotless ı) is "if" to the guards. */
export const wordsOf = (tokens: Token[]): string[] =>
  tokens.flatMap((t) => (t.kind === 'word' ? [skeleton(t.text)] : []));
