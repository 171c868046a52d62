/**
 * Faults (not expected outcomes) carry a stable `code` so callers, metrics and the one
 * error→text function can switch on it without parsing messages. Expected outcomes such as
 * "policy says no" are values (`Decision`), never errors.
 */
export const ERROR_CODES = [
  'CONFIG.INVALID',
  'SCIM.NOT_FOUND',
  'SCIM.AUTH',
  'SCIM.FORBIDDEN',
  'SCIM.CONFLICT',
  'SCIM.PRECONDITION',
  'SCIM.RATE_LIMITED',
  'SCIM.UNAVAILABLE',
  'SCIM.TIMEOUT',
  'SCIM.NETWORK',
  'SCIM.BAD_REQUEST',
  'SCIM.INVALID_RESPONSE',
  'SCIM.TOO_LARGE',
  'SCIM.AMBIGUOUS',
  'SCIM.UNKNOWN_ROLE',
  'SCIM.NOT_APPLIED',
  /** A grant to a directory user with `active: false` (refused; revokes stay allowed). */
  'SCIM.INACTIVE_USER',
  /** At apply, the policy (the requester's roles, or the approvals' quorum) no longer allows the change. */
  'POLICY.DENIED',
  /** Recovery read the directory after an interrupted apply: the change is not there. */
  'RECOVERY.NOT_APPLIED',
  'STORE.UNAVAILABLE',
  'STORE.DUPLICATE',
  'STORE.CORRUPT',
  'LLM.TIMEOUT',
  'LLM.RATE_LIMITED',
  'LLM.OVERLOADED',
  'LLM.REFUSED',
  'LLM.INVALID_OUTPUT',
  'LLM.UNAVAILABLE',
  'SLACK.API',
  'SLACK.RATE_LIMITED',
  'INTERNAL',
] as const;

/** The one closed set of fault codes: thrown, stored on failed requests, written to the audit log. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

/** For codes read back from storage (written by any version): unknown ones are treated as INTERNAL. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN.has(code);
}

/**
 * Whether trying a failed apply again can succeed without anyone changing anything first. A policy
 * refusal refuses again (the same check runs at apply), and an inactive target stays inactive.
 */
export function retryCanHelp(code: ErrorCode): boolean {
  return code !== 'POLICY.DENIED' && code !== 'SCIM.INACTIVE_USER';
}

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
