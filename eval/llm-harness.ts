import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnthropicExtractor } from '../src/adapters/llm/anthropic-extractor.ts';
import { createLogger } from '../src/adapters/log/logger.ts';
import { parseEnv } from '../src/config.ts';
import type { IntentExtractor } from '../src/ports/intent-extractor.ts';
import { type FakeRequest, startFakeAnthropic } from '../test/support/fake-anthropic.ts';

/**
 * The LLM side of the eval. Live (needs ANTHROPIC_API_KEY), `--record` (live, and every raw
 * answer is stored in eval/recordings/<model>.jsonl), or `--replay` (the stored answers are served
 * by the local fake Messages API, so the whole LLM path — validation, grounding, guards, fallback —
 * is scored again without a key). A request whose prompt changed since recording gets no answer
 * and shows up as a fallback.
 */
interface Recording {
  key: string;
  model: string;
  user: string;
  response: Record<string, unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies are plain JSON
export function requestKey(body: any): string {
  const stable = JSON.stringify({
    model: body?.model,
    system: body?.system,
    tools: body?.tools,
    messages: body?.messages,
  });
  return createHash('sha256').update(stable).digest('hex');
}

const fileFor = (dir: string, model: string) => join(dir, `${model.replace(/[^a-zA-Z0-9._-]/g, '_')}.jsonl`);

export async function llmForEval(o: {
  record: boolean;
  replay: boolean;
  recordingsDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<{ extractor: IntentExtractor; close: () => Promise<void> }> {
  const env = parseEnv(o.env ?? process.env);
  const logger = createLogger({ level: o.env?.LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'silent' });
  const file = fileFor(o.recordingsDir, env.ROLECALL_MODEL);
  if (o.replay) {
    if (!existsSync(file))
      throw new Error(
        `no recordings at ${file}: run once with --record and ANTHROPIC_API_KEY set (model ${env.ROLECALL_MODEL})`,
      );
    const byKey = new Map<string, Recording>();
    for (const line of readFileSync(file, 'utf8').split('\n'))
      if (line.trim()) {
        const r = JSON.parse(line) as Recording;
        byKey.set(r.key, r);
      }
    const fake = await startFakeAnthropic({
      script: (req: FakeRequest) => {
        const hit = byKey.get(requestKey(req.body));
        return hit
          ? { type: 'message', message: hit.response }
          : { type: 'error', status: 400, message: 'no recording for this request (prompt changed?)' };
      },
    });
    const extractor = createAnthropicExtractor({
      apiKey: 'replay',
      baseURL: fake.baseUrl,
      model: env.ROLECALL_MODEL,
      timeoutMs: env.ROLECALL_LLM_TIMEOUT_MS,
      maxRetries: 0,
      logger,
    });
    return { extractor, close: () => fake.close() };
  }
  if (!env.ANTHROPIC_API_KEY)
    throw new Error('ANTHROPIC_API_KEY is not set: use --replay to score recorded answers');
  let recordingFetch: typeof fetch | undefined;
  if (o.record) {
    mkdirSync(o.recordingsDir, { recursive: true });
    writeFileSync(file, '');
    recordingFetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (res.ok && url.endsWith('/v1/messages') && typeof init?.body === 'string') {
        const body = JSON.parse(init.body);
        const response = (await res.clone().json()) as Record<string, unknown>;
        const rec: Recording = {
          key: requestKey(body),
          model: body.model,
          user: body.messages?.[0]?.content,
          response,
        };
        appendFileSync(file, `${JSON.stringify(rec)}\n`);
      }
      return res;
    };
  }
  const extractor = createAnthropicExtractor({
    apiKey: env.ANTHROPIC_API_KEY,
    ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
    model: env.ROLECALL_MODEL,
    timeoutMs: env.ROLECALL_LLM_TIMEOUT_MS,
    logger,
    ...(recordingFetch ? { fetch: recordingFetch } : {}),
  });
  return { extractor, close: async () => {} };
}
