import Anthropic from '@anthropic-ai/sdk';
import { RolecallError } from '../../core/errors.ts';
import { classify } from './failures.ts';

/**
 * `rolecall doctor`'s model probe: `models.retrieve` (GET /v1/models/{id}) checks the key, the
 * endpoint and that the configured model exists, without spending tokens. No retries.
 */
export async function checkModel(o: {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
}): Promise<string> {
  const client = new Anthropic({
    apiKey: o.apiKey,
    baseURL: o.baseURL ?? null,
    maxRetries: 0,
    timeout: o.timeoutMs,
  });
  try {
    const info = await client.models.retrieve(o.model);
    const resolved = info.id && info.id !== o.model ? ` (${info.id})` : '';
    return `model ${o.model}${resolved} reachable`;
  } catch (err) {
    const status = err instanceof Anthropic.APIError ? err.status : undefined;
    const failure = classify(err, false);
    const what =
      status === 404
        ? `model ${o.model} not found (ROLECALL_MODEL)`
        : status === 401 || status === 403
          ? `the API key was refused (ANTHROPIC_API_KEY, HTTP ${status})`
          : failure.message;
    throw new RolecallError(failure.code, what, { cause: err, details: failure.details });
  }
}
