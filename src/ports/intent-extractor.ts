import type { Intent } from '../core/intent.ts';

/**
 * IntentExtractor: turns one chat message into typed intents. It decides nothing about
 * permission. Contract: always resolves (never throws for bad model output, timeouts or refusals:
 * it falls back or returns `none`); every intent returned has passed the zod schema and refers
 * only to people, roles and durations that appear in the text or the catalogue.
 */
export interface ExtractionInput {
  /**
   * The message in Rolecall's inbound syntax, which every chat adapter normalises to (Slack's own
   * message format, so the Slack adapter only drops mention labels):
   * - a person mentioned is `<@ID>`, ID being the surface's user id (Slack `U…`/`W…`); no label
   *   (`<@ID|name>` is reduced to `<@ID>`), and no display name stands in for a mention;
   * - `&`, `<` and `>` typed by the sender arrive as `&amp;`, `&lt;` and `&gt;`, so a typed
   *   `<@U1>` is text, never a mention; only the adapter writes `<…>` tokens;
   * - other tokens are the surface's own, read as no person: `<!here>`/`<!channel>`, user groups
   *   (`<!subteam^…>`), channels (`<#C…>`), links (`<https://…|…>`); an email may come as
   *   `<mailto:a@b.com|a@b.com>` or as typed;
   * - the leading mention of Rolecall itself ("@Rolecall make …") is already removed.
   * A new surface (Teams `<at>`…) converts its mentions to `<@ID>` and encodes the three characters.
   */
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
