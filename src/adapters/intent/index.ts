import type { Env } from '../../config.ts';
import type { Clock } from '../../ports/clock.ts';
import type { IntentExtractor } from '../../ports/intent-extractor.ts';
import { createAnthropicExtractor, type LlmMetrics } from '../llm/anthropic-extractor.ts';
import type { Logger } from '../log/logger.ts';
import { createOfflineExtractor } from './offline-parser.ts';

export type { LlmMetrics } from '../llm/anthropic-extractor.ts';
export { createOfflineExtractor, parseOffline } from './offline-parser.ts';

/**
 * The composition root's one call: the model (with the offline parser as fallback) when
 * ANTHROPIC_API_KEY is set, else the offline parser alone.
 */
export function createIntentExtractor(o: {
  env: Pick<Env, 'ANTHROPIC_API_KEY' | 'ANTHROPIC_BASE_URL' | 'ROLECALL_MODEL' | 'ROLECALL_LLM_TIMEOUT_MS'>;
  logger: Logger;
  clock?: Clock;
  metrics?: LlmMetrics;
}): IntentExtractor {
  const offline = createOfflineExtractor();
  if (!o.env.ANTHROPIC_API_KEY) {
    o.logger.info('ANTHROPIC_API_KEY is not set: intents come from the offline parser');
    return offline;
  }
  return createAnthropicExtractor({
    apiKey: o.env.ANTHROPIC_API_KEY,
    ...(o.env.ANTHROPIC_BASE_URL ? { baseURL: o.env.ANTHROPIC_BASE_URL } : {}),
    model: o.env.ROLECALL_MODEL,
    timeoutMs: o.env.ROLECALL_LLM_TIMEOUT_MS,
    logger: o.logger,
    fallback: offline,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.metrics ? { metrics: o.metrics } : {}),
  });
}
