import type { Intent } from '../core/intent.ts';

/**
 * IntentExtractor: turns one chat message into typed intents. It decides nothing about
 * permission. Contract: always resolves (never throws for bad model output, timeouts or refusals:
 * it falls back or returns `none`); every intent returned has passed the zod schema and refers
 * only to people, roles and durations that appear in the text or the catalogue.
 */
export interface ExtractionInput {
  text: string;
  /** Catalogue role names of the sender's tenant. */
  roles: string[];
  /** Sender's IANA time zone from Slack (for "until Friday"); UTC when unknown. */
  timeZone?: string;
  now: Date;
}

export interface Extraction {
  intents: Intent[];
  source: 'llm' | 'offline';
  /** Set when the LLM path was attempted and the offline parser answered instead. */
  fallbackReason?: string;
}

export interface IntentExtractor {
  extract(input: ExtractionInput): Promise<Extraction>;
}
