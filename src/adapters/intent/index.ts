import type { Env } from '../../config.ts';
import type { Clock } from '../../ports/clock.ts';
import type { IntentExtractor } from '../../ports/intent-extractor.ts';
import type { LlmMetrics } from '../llm/anthropic-extractor.ts';
import type { Logger } from '../log/logger.ts';
import { readPartial, recogniseHelp } from './help-recogniser.ts';
import { createOfflineExtractor } from './offline-parser.ts';
import { readQuestion } from './question-cues.ts';

export type { LlmMetrics } from '../llm/anthropic-extractor.ts';
export { createOfflineExtractor, parseOffline } from './offline-parser.ts';

/**
 * The composition root's one call: the model (with the offline parser as fallback) when
 * ANTHROPIC_API_KEY is set, else the offline parser alone. The Anthropic SDK (~25 MiB RSS) is
 * loaded only when a key is set.
 */
export async function createIntentExtractor(o: {
  env: Pick<Env, 'ANTHROPIC_API_KEY' | 'ANTHROPIC_BASE_URL' | 'ROLECALL_MODEL' | 'ROLECALL_LLM_TIMEOUT_MS'>;
  logger: Logger;
  clock?: Clock;
  metrics?: LlmMetrics;
}): Promise<IntentExtractor> {
  const offline = createOfflineExtractor();
  if (!o.env.ANTHROPIC_API_KEY) {
    o.logger.info('ANTHROPIC_API_KEY is not set: intents come from the offline parser');
    return withHelp(offline);
  }
  const { createAnthropicExtractor } = await import('../llm/anthropic-extractor.ts');
  return withHelp(
    createAnthropicExtractor({
      apiKey: o.env.ANTHROPIC_API_KEY,
      ...(o.env.ANTHROPIC_BASE_URL ? { baseURL: o.env.ANTHROPIC_BASE_URL } : {}),
      model: o.env.ROLECALL_MODEL,
      timeoutMs: o.env.ROLECALL_LLM_TIMEOUT_MS,
      logger: o.logger,
      fallback: offline,
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.metrics ? { metrics: o.metrics } : {}),
    }),
  );
}

/**
 * Both paths alike: "help" and "who are the admins?" are recognised before the extractor, and a
 * message it did not understand carries what could be read anyway (to pre-fill the request form).
 */
const SECOND_LOOK = ['unclear', 'not_a_request', 'unsupported', 'unknown_role'];

export function withHelp(inner: IntentExtractor): IntentExtractor {
  return {
    async extract(input) {
      const asked = recogniseHelp(input.text ?? '', input.roles);
      if (asked) return { intents: [asked], source: 'offline' };
      const out = await inner.extract(input);
      const only = out.intents.length === 1 ? out.intents[0] : undefined;
      if (only?.kind !== 'none' || only.reason === 'injection') return out;
      // A second look for questions, by cue words: read-only answers only (question-cues.ts).
      const second = SECOND_LOOK.includes(only.reason ?? 'unclear')
        ? readQuestion(input.text ?? '', input.roles)
        : undefined;
      if (second) return { intents: [second], source: 'offline' };
      if (only.partial) return out;
      const read = readPartial(input.text ?? '', input.roles);
      const vague = !only.reason || only.reason === 'unclear' || only.reason === 'not_a_request';
      const reason = read.reason && vague ? read.reason : only.reason;
      return {
        ...out,
        intents: [{ kind: 'none', ...(reason ? { reason } : {}), partial: read.partial }],
      };
    },
  };
}
