/**
 * Faults (not expected outcomes) carry a stable `code` so callers, metrics and the one
 * error→text function can switch on it without parsing messages. Expected outcomes such as
 * "policy says no" are values (`Decision`), never errors.
 */
export type ErrorCode =
  | 'CONFIG.INVALID'
  | 'SCIM.NOT_FOUND'
  | 'SCIM.AUTH'
  | 'SCIM.FORBIDDEN'
  | 'SCIM.CONFLICT'
  | 'SCIM.PRECONDITION'
  | 'SCIM.RATE_LIMITED'
  | 'SCIM.UNAVAILABLE'
  | 'SCIM.TIMEOUT'
  | 'SCIM.NETWORK'
  | 'SCIM.BAD_REQUEST'
  | 'SCIM.INVALID_RESPONSE'
  | 'SCIM.TOO_LARGE'
  | 'SCIM.AMBIGUOUS'
  | 'SCIM.UNKNOWN_ROLE'
  | 'SCIM.NOT_APPLIED'
  /** A grant to a directory user with `active: false` (refused; revokes stay allowed). */
  | 'SCIM.INACTIVE_USER'
  | 'STORE.UNAVAILABLE'
  | 'STORE.DUPLICATE'
  | 'STORE.CORRUPT'
  | 'LLM.TIMEOUT'
  | 'LLM.RATE_LIMITED'
  | 'LLM.OVERLOADED'
  | 'LLM.REFUSED'
  | 'LLM.INVALID_OUTPUT'
  | 'LLM.UNAVAILABLE'
  | 'SLACK.API'
  | 'SLACK.RATE_LIMITED'
  | 'INTERNAL';

export class RolecallError extends Error {
  readonly code: ErrorCode;
  /** Extra, non-secret facts for logs (status, attempt, key path…). Never tokens. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RolecallError';
    this.code = code;
    this.details = opts.details ?? {};
  }
}

export function isRolecallError(err: unknown, code?: ErrorCode): err is RolecallError {
  return err instanceof RolecallError && (code === undefined || err.code === code);
}

/** The stable code of any thrown value: ours, or INTERNAL for everything else. */
export function errorCode(err: unknown): ErrorCode {
  return err instanceof RolecallError ? err.code : 'INTERNAL';
}
