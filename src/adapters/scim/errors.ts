import { type ErrorCode, RolecallError } from '../../core/errors.ts';
import { scrubSecrets } from '../log/logger.ts';

/**
 * Turns SCIM answers and transport failures into `RolecallError`s. Every message passes through a
 * redactor that knows the live credentials: servers have been seen echoing request headers in
 * HTML error pages, so the token can arrive from the far side too.
 */

export type Redact = (text: string) => string;

export function makeRedactor(secrets: () => readonly string[]): Redact {
  return (text) => {
    let out = text;
    for (const s of secrets()) if (s.length >= 4) out = out.split(s).join('[REDACTED]');
    return scrubSecrets(out);
  };
}

const ERROR_TEXT_MAX = 200;

/** `detail`/`scimType` from a SCIM Error, or the first words of a plain-text/HTML body. */
export function describeBody(text: string): { detail?: string; scimType?: string } {
  const trimmed = text.trim();
  if (!trimmed) return {};
  if (trimmed.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(trimmed);
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        const nested = Array.isArray(o.errors)
          ? (o.errors[0] as Record<string, unknown> | undefined)
          : undefined;
        const detail = [
          o.detail,
          o.message,
          o.error_description,
          o.error,
          nested?.detail,
          nested?.message,
        ].find((x): x is string => typeof x === 'string' && x.trim() !== '');
        const scimType = typeof o.scimType === 'string' ? o.scimType : undefined;
        return {
          ...(detail ? { detail: clip(detail) } : {}),
          ...(scimType ? { scimType } : {}),
        };
      }
    } catch {
      // Not JSON after all: fall through to the text form.
    }
  }
  const plain = trimmed
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return plain ? { detail: clip(plain) } : {};
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > ERROR_TEXT_MAX ? `${one.slice(0, ERROR_TEXT_MAX)}…` : one;
}

export function codeForStatus(status: number): ErrorCode {
  if (
    status === 400 ||
    status === 405 ||
    status === 413 ||
    status === 415 ||
    status === 422 ||
    status === 501
  )
    return 'SCIM.BAD_REQUEST';
  if (status === 401) return 'SCIM.AUTH';
  if (status === 403) return 'SCIM.FORBIDDEN';
  if (status === 404) return 'SCIM.NOT_FOUND';
  if (status === 409) return 'SCIM.CONFLICT';
  if (status === 412) return 'SCIM.PRECONDITION';
  if (status === 429) return 'SCIM.RATE_LIMITED';
  if (status >= 500) return 'SCIM.UNAVAILABLE';
  return 'SCIM.INVALID_RESPONSE';
}

const REASON: Partial<Record<ErrorCode, string>> = {
  'SCIM.AUTH': 'the SCIM server rejected the credentials',
  'SCIM.FORBIDDEN': 'the SCIM credentials may not do this',
  'SCIM.NOT_FOUND': 'not found',
  'SCIM.CONFLICT': 'conflict',
  'SCIM.PRECONDITION': 'the resource changed meanwhile (ETag mismatch)',
  'SCIM.RATE_LIMITED': 'rate limited',
  'SCIM.UNAVAILABLE': 'the SCIM server is unavailable',
  'SCIM.BAD_REQUEST': 'the SCIM server refused the request',
};

export interface HttpErrorInput {
  tenantId: string;
  method: string;
  path: string;
  status: number;
  body: string;
  attempts: number;
  redact: Redact;
  maybeApplied?: boolean;
  /** Why no retry was made although the status allows one. */
  note?: string;
}

export function httpError(i: HttpErrorInput): RolecallError {
  const code = codeForStatus(i.status);
  const { detail, scimType } = describeBody(i.body);
  const tries = (i.attempts > 1 ? ` after ${i.attempts} attempts` : '') + (i.note ? ` (${i.note})` : '');
  const msg =
    `SCIM ${i.method} ${i.path} (tenant ${i.tenantId}): ${REASON[code] ?? 'unexpected answer'} ` +
    `(HTTP ${i.status}${scimType ? `, scimType ${scimType}` : ''})${tries}${detail ? `: ${detail}` : ''}`;
  return new RolecallError(code, i.redact(msg), {
    details: {
      tenantId: i.tenantId,
      method: i.method,
      path: i.path,
      status: i.status,
      attempts: i.attempts,
      ...(scimType ? { scimType } : {}),
      ...(i.maybeApplied ? { maybeApplied: true } : {}),
    },
  });
}

export function scimError(
  code: ErrorCode,
  message: string,
  redact: Redact,
  details: Record<string, unknown> = {},
  cause?: unknown,
): RolecallError {
  return new RolecallError(code, redact(message), { details, ...(cause === undefined ? {} : { cause }) });
}

/** Statuses and SCIM types by which a server says "I do not support this filter or path form". */
export function isUnsupportedForm(err: unknown): boolean {
  if (!(err instanceof RolecallError) || err.code !== 'SCIM.BAD_REQUEST') return false;
  const status = err.details.status;
  const scimType = err.details.scimType;
  if (status === 501) return true;
  if (status !== 400) return false;
  return (
    scimType === undefined ||
    scimType === 'invalidFilter' ||
    scimType === 'invalidPath' ||
    scimType === 'invalidSyntax' ||
    scimType === 'invalidValue'
  );
}

/** A write whose fate is unknown: the request may have been processed before the failure. */
export function isMaybeApplied(err: unknown): boolean {
  return err instanceof RolecallError && err.details.maybeApplied === true;
}
