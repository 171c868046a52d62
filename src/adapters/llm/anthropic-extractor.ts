import Anthropic from '@anthropic-ai/sdk';
import { isRolecallError } from '../../core/errors.ts';
import type { Intent } from '../../core/intent.ts';
import { type Clock, systemClock } from '../../ports/clock.ts';
import type { Extraction, ExtractionInput, IntentExtractor } from '../../ports/intent-extractor.ts';
import { doubt } from '../intent/doubts.ts';
import { admitText } from '../intent/normalise.ts';
import { createOfflineExtractor, guardReason, parseOffline } from '../intent/offline-parser.ts';
import type { Logger } from '../log/logger.ts';
import { classify, type FallbackReason, llmError, reasonOf } from './failures.ts';
import { groundAll, type ToolCall } from './grounding.ts';
import { systemPrompt, wrapMessage } from './prompt.ts';
import { buildTools } from './tools.ts';

/**
 * IntentExtractor backed by the Messages API: one forced tool call round per message, no sampling
 * parameters, the message wrapped as data. The answer is re-validated and grounded in the text;
 * on a timeout, rate limit, overload, server error, refusal or bad output the offline parser
 * answers instead (and the reason is logged and reported in `fallbackReason`).
 */
export interface LlmMetrics {
  /** Every extraction that tried the model, with how long the model part took. */
  call?(e: { outcome: 'ok' | 'fallback'; latencyMs: number; reason?: FallbackReason }): void;
  fallback?(e: { reason: FallbackReason }): void;
  /** A tool call thrown away (unknown tool, not grounded in the text, refused by the guards). */
  dropped?(e: { tool: string; reason: string }): void;
}

export interface AnthropicExtractorOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** Overall deadline for the model call, retries included. */
  timeoutMs: number;
  logger: Logger;
  /** SDK retries for 408/409/429/5xx; small, the deadline is what bounds the wait. */
  maxRetries?: number;
  maxTokens?: number;
  clock?: Clock;
  metrics?: LlmMetrics;
  fallback?: IntentExtractor;
  /** For recording the raw exchanges (eval); defaults to the global fetch. */
  fetch?: typeof fetch;
}

const MAX_TOOL_CALLS = 10;
const SEVERITY = ['injection', 'negated', 'unknown_role', 'unclear', 'unsupported', 'not_a_request'] as const;

export function createAnthropicExtractor(o: AnthropicExtractorOptions): IntentExtractor {
  const client = new Anthropic({
    apiKey: o.apiKey,
    baseURL: o.baseURL ?? null,
    maxRetries: o.maxRetries ?? 2,
    timeout: o.timeoutMs,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const log = o.logger.child({ component: 'intent-llm', model: o.model });
  const clock = o.clock ?? systemClock;
  const fallback = o.fallback ?? createOfflineExtractor();

  async function callModel(input: ExtractionInput): Promise<Intent[]> {
    // The deadline covers the SDK's own retries too; its per-attempt `timeout` does not.
    const signal = AbortSignal.timeout(o.timeoutMs);
    let message: Anthropic.Message;
    try {
      message = await client.messages.create(
        {
          model: o.model,
          max_tokens: o.maxTokens ?? 1024,
          system: systemPrompt(input.roles),
          tools: buildTools(input.roles),
          tool_choice: { type: 'any' },
          messages: [{ role: 'user', content: wrapMessage(input.text) }],
        },
        { signal, timeout: o.timeoutMs, maxRetries: o.maxRetries ?? 2 },
      );
    } catch (err) {
      throw classify(err, signal.aborted);
    }
    return interpret(message, input);
  }

  function interpret(message: Anthropic.Message, input: ExtractionInput): Intent[] {
    if (message.stop_reason === 'refusal')
      throw llmError('refused', 'the model refused', undefined, {
        category: message.stop_details?.category ?? null,
      });
    if (message.stop_reason === 'max_tokens') throw llmError('invalid_output', 'the answer was cut off');
    const calls: ToolCall[] = message.content.flatMap((b) =>
      b.type === 'tool_use' ? [{ name: b.name, input: b.input }] : [],
    );
    if (calls.length === 0) throw llmError('invalid_output', 'the model called no tool');
    if (calls.length > MAX_TOOL_CALLS)
      throw llmError('invalid_output', `the model called ${calls.length} tools`);
    const grounded = groundAll(calls, {
      text: input.text,
      roles: input.roles,
      now: input.now,
      timeZone: input.timeZone,
    });
    const intents: Intent[] = [];
    for (const g of grounded) {
      if (g.ok) {
        intents.push(g.intent);
        continue;
      }
      log.info({ tool: g.tool, why: g.reason }, 'dropped a tool call');
      o.metrics?.dropped?.({ tool: g.tool, reason: g.reason });
      if (g.reason === 'unknown tool') continue;
      // Half an answer is never acted on: the offline parser answers the whole message instead.
      throw llmError(
        g.reason.startsWith('invalid input') ? 'invalid_output' : 'ungrounded_output',
        g.reason,
        undefined,
        {
          tool: g.tool,
        },
      );
    }
    if (intents.length === 0) throw llmError('invalid_output', 'no usable tool call');
    return settle(intents, input);
  }

  /** Same combination rules as the offline parser, then its guards as a safety net. */
  function settle(intents: Intent[], input: ExtractionInput): Intent[] {
    const nones: string[] = intents.flatMap((i) =>
      i.kind === 'none' && i.reason !== 'not_a_request' ? [i.reason ?? 'unclear'] : [],
    );
    if (nones.length) return [{ kind: 'none', reason: SEVERITY.find((s) => nones.includes(s)) ?? 'unclear' }];
    const useful = intents.filter((i) => i.kind !== 'none');
    if (useful.length === 0) return [{ kind: 'none', reason: 'not_a_request' }];
    if (useful.some((i) => i.kind === 'request_role_change')) {
      const revokesOnly = useful.every((i) => i.kind !== 'request_role_change' || i.action === 'revoke');
      const guard = guardReason(input.text, { revokesOnly }) ?? doubt(input.text, useful);
      if (guard) {
        log.warn({ guard }, 'model proposed a role change the guards refuse');
        o.metrics?.dropped?.({ tool: 'request_role_change', reason: `guard:${guard}` });
        return [{ kind: 'none', reason: guard }];
      }
      // Where the parser is sure the text is only a question, or names a role outside the
      // catalogue ("a billing admin"), a model's role change is not trusted.
      const offline = parseOffline(input);
      const onlyQuestions = offline.every(
        (i) => i.kind === 'get_roles' || i.kind === 'lookup_user' || i.kind === 'cancel',
      );
      const unknownRole = offline.some((i) => i.kind === 'none' && i.reason === 'unknown_role');
      if (onlyQuestions || unknownRole) {
        log.warn(
          { offline: offline.map((i) => i.kind) },
          'model proposed a role change the parser rules out',
        );
        o.metrics?.dropped?.({
          tool: 'request_role_change',
          reason: unknownRole ? 'parser:unknown_role' : 'parser:question',
        });
        return offline;
      }
    }
    const seen = new Set<string>();
    return useful.filter((i) => {
      const k = JSON.stringify(i);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  return {
    async extract(raw: ExtractionInput): Promise<Extraction> {
      // Where messages come in: over MAX_TEXT is refused before the model, the guards or grounding
      // see it; under it, all of them (and the fallback) read the same normalised text.
      const text = admitText(raw.text ?? '');
      if (text === undefined) return { intents: [{ kind: 'none', reason: 'unclear' }], source: 'offline' };
      const input = { ...raw, text };
      const started = clock.now().getTime();
      try {
        const intents = await callModel(input);
        o.metrics?.call?.({ outcome: 'ok', latencyMs: clock.now().getTime() - started });
        return { intents, source: 'llm' };
      } catch (err) {
        const failure = isRolecallError(err) ? err : classify(err, false);
        const reason = reasonOf(failure);
        log.warn(
          { err: failure, code: failure.code, reason },
          'LLM extraction failed; using the offline parser',
        );
        o.metrics?.call?.({ outcome: 'fallback', latencyMs: clock.now().getTime() - started, reason });
        o.metrics?.fallback?.({ reason });
        const offline = await fallback.extract(input);
        return { intents: offline.intents, source: 'offline', fallbackReason: reason };
      }
    },
  };
}
