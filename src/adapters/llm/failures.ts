import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { type ErrorCode, RolecallError } from '../../core/errors.ts';

/** Why the LLM path gave way to the offline parser; stable strings for logs and metrics. */
export type FallbackReason =
  | 'timeout'
  | 'rate_limited'
  | 'overloaded'
  | 'unavailable'
  | 'refused'
  | 'invalid_output'
  | 'ungrounded_output';

const CODES: Record<FallbackReason, ErrorCode> = {
  timeout: 'LLM.TIMEOUT',
  rate_limited: 'LLM.RATE_LIMITED',
  overloaded: 'LLM.OVERLOADED',
  unavailable: 'LLM.UNAVAILABLE',
  refused: 'LLM.REFUSED',
  invalid_output: 'LLM.INVALID_OUTPUT',
  ungrounded_output: 'LLM.INVALID_OUTPUT',
};

export function llmError(
  reason: FallbackReason,
  message: string,
  cause?: unknown,
  details?: Record<string, unknown>,
) {
  return new RolecallError(CODES[reason], message, { cause, details: { reason, ...details } });
}

/** A thrown SDK error (after the SDK's own retries) as a RolecallError with a fallback reason. */
export function classify(err: unknown, deadlineHit: boolean): RolecallError {
  if (err instanceof RolecallError) return err;
  if (deadlineHit || err instanceof APIUserAbortError || err instanceof APIConnectionTimeoutError)
    return llmError('timeout', 'the model did not answer before the deadline', err);
  if (err instanceof RateLimitError)
    return llmError('rate_limited', 'rate limited by the API', err, { status: 429 });
  if (err instanceof APIError && err.status === 529)
    return llmError('overloaded', 'the API is overloaded', err, { status: 529 });
  if (err instanceof APIConnectionError) return llmError('unavailable', 'cannot reach the API', err);
  if (err instanceof APIError)
    return llmError('unavailable', `the API answered ${err.status ?? 'an error'}`, err, {
      status: err.status,
    });
  return llmError('unavailable', 'the model call failed', err);
}

export const reasonOf = (err: RolecallError): FallbackReason =>
  (err.details.reason as FallbackReason | undefined) ?? 'unavailable';
