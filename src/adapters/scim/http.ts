import { type Dispatcher, request } from 'undici';
import { RolecallError } from '../../core/errors.ts';
import type { Logger } from '../log/logger.ts';
import { httpError, type Redact, scimError } from './errors.ts';

/**
 * One SCIM request with a deadline, a byte cap and a retry policy that knows which steps are safe
 * to repeat: reads are retried on 429/502/503/504 and network faults; a PATCH only when the server
 * refused it before processing (429, 503) or the connection was never made. Anything else on a
 * write is reported as "maybe applied" so the caller lets a fresh read decide.
 */

export interface ScimStats {
  /** HTTP attempts, retries included. */
  requests: number;
  byMethod: Record<string, number>;
  /** Collection GETs (filters, searches, paging). */
  listings: number;
  writes: number;
  retries: number;
}

export function emptyStats(): ScimStats {
  return { requests: 0, byMethod: {}, listings: 0, writes: 0, retries: 0 };
}

export interface ScimRequestEvent {
  method: string;
  path: string;
  listing: boolean;
  attempt: number;
  status?: number;
  error?: string;
}

export interface ScimHttpOptions {
  tenantId: string;
  baseUrl: string;
  authorization: () => string | undefined;
  redact: Redact;
  timeoutMs: number;
  retries: number;
  maxRetryAfterMs: number;
  maxBytes: number;
  dispatcher: Dispatcher;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  logger: Logger;
  stats: ScimStats;
  onRequest?: (e: ScimRequestEvent) => void;
}

export interface ScimRequest {
  method: 'GET' | 'PATCH';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  ifMatch?: string;
  /** Statuses handed back to the caller instead of thrown (e.g. 404 on a lookup by id). */
  accept?: readonly number[];
}

export interface ScimResponse {
  status: number;
  text: string;
  etag?: string;
}

const RETRY_READ = new Set([429, 502, 503, 504]);
/** Answers that mean "not processed": safe to send the same PATCH again. */
const RETRY_WRITE = new Set([429, 503]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 10_000;

class Timeout extends Error {}
class TooLarge extends Error {}

export class ScimHttp {
  readonly #o: ScimHttpOptions;

  constructor(o: ScimHttpOptions) {
    this.#o = o;
  }

  async send(req: ScimRequest): Promise<ScimResponse> {
    const o = this.#o;
    const write = req.method !== 'GET';
    const listing = !write && !/^\/(Users|Groups)\/[^/]+$/.test(req.path);
    for (let attempt = 1; ; attempt++) {
      const last = attempt > o.retries;
      let res: { status: number; text: string; etag?: string; retryAfter?: string };
      // Read per attempt so a rotated secret is picked up; a missing one fails before any I/O.
      const auth = o.authorization();
      try {
        o.stats.requests++;
        o.stats.byMethod[req.method] = (o.stats.byMethod[req.method] ?? 0) + 1;
        if (listing) o.stats.listings++;
        if (write) o.stats.writes++;
        res = await this.#once(req, auth);
        o.onRequest?.({ method: req.method, path: req.path, listing, attempt, status: res.status });
      } catch (err) {
        if (err instanceof RolecallError || !isTransportFault(err)) throw err;
        const fault = this.#transportFault(err, req, attempt);
        o.onRequest?.({ method: req.method, path: req.path, listing, attempt, error: fault.code });
        const refused = (err as { code?: string }).code === 'ECONNREFUSED';
        const retryable = fault.code !== 'SCIM.TOO_LARGE' && (!write || refused);
        if (!retryable || last) throw fault;
        await this.#pause(attempt, undefined, req, fault.code);
        continue;
      }
      if (res.status < 400 || req.accept?.includes(res.status)) return res;
      const retryable = (write ? RETRY_WRITE : RETRY_READ).has(res.status);
      const delay = retryable && !last ? this.#delay(attempt, res.retryAfter) : undefined;
      if (delay === undefined)
        throw httpError({
          tenantId: o.tenantId,
          method: req.method,
          path: req.path,
          status: res.status,
          body: res.text,
          attempts: attempt,
          redact: o.redact,
          // Servers have answered 409 and other 4xx after applying a write: only "not processed"
          // answers (429/503 with their retries spent, 412 for a stale If-Match) are taken at their word.
          maybeApplied: write && res.status !== 412 && !RETRY_WRITE.has(res.status),
          ...(retryable && !last
            ? { note: `Retry-After ${res.retryAfter} exceeds maxRetryAfter ${o.maxRetryAfterMs} ms` }
            : {}),
        });
      await this.#pause(attempt, delay, req, `HTTP ${res.status}`);
    }
  }

  async #pause(attempt: number, delay: number | undefined, req: ScimRequest, why: string): Promise<void> {
    const ms = delay ?? this.#delay(attempt, undefined) ?? 0;
    this.#o.stats.retries++;
    this.#o.logger.warn(
      { scim: { method: req.method, path: req.path, attempt, delayMs: Math.round(ms), why } },
      'SCIM request failed; retrying',
    );
    await this.#o.sleep(ms);
  }

  /** Full-jitter exponential backoff, or the server's Retry-After; undefined = do not wait that long. */
  #delay(attempt: number, retryAfter: string | undefined): number | undefined {
    const o = this.#o;
    if (retryAfter !== undefined) {
      const ms = parseRetryAfter(retryAfter, o.now());
      if (ms !== undefined) return ms <= o.maxRetryAfterMs ? ms : undefined;
    }
    const ceiling = Math.min(BACKOFF_CAP_MS, o.maxRetryAfterMs, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return o.random() * ceiling;
  }

  #transportFault(err: unknown, req: ScimRequest, attempt: number): RolecallError {
    const o = this.#o;
    const write = req.method !== 'GET';
    const base = { tenantId: o.tenantId, method: req.method, path: req.path, attempts: attempt };
    if (err instanceof TooLarge)
      return scimError(
        'SCIM.TOO_LARGE',
        `SCIM ${req.method} ${req.path} (tenant ${o.tenantId}): response larger than ${o.maxBytes} bytes; stopped reading`,
        o.redact,
        base,
      );
    if (err instanceof Timeout)
      return scimError(
        'SCIM.TIMEOUT',
        `SCIM ${req.method} ${req.path} (tenant ${o.tenantId}): no complete answer within ${o.timeoutMs} ms` +
          (attempt > 1 ? ` (${attempt} attempts)` : ''),
        o.redact,
        { ...base, ...(write ? { maybeApplied: true } : {}) },
      );
    const code = (err as { code?: string }).code;
    const refused = code === 'ECONNREFUSED';
    const known = code !== undefined && NETWORK_CODES.has(code);
    const what = known ? `network error ${code}` : `request failed (${code ?? (err as Error).name})`;
    return scimError(
      'SCIM.NETWORK',
      `SCIM ${req.method} ${req.path} (tenant ${o.tenantId}): ${what}` +
        (attempt > 1 ? ` after ${attempt} attempts` : ''),
      o.redact,
      { ...base, ...(code ? { errorCode: code } : {}), ...(write && !refused ? { maybeApplied: true } : {}) },
      err instanceof Error ? new Error(o.redact(err.message)) : undefined,
    );
  }

  async #once(
    req: ScimRequest,
    auth: string | undefined,
  ): Promise<{ status: number; text: string; etag?: string; retryAfter?: string }> {
    const o = this.#o;
    const url = new URL(o.baseUrl.replace(/\/+$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/scim+json, application/json' };
    if (auth) headers.authorization = auth;
    if (req.body !== undefined) headers['content-type'] = 'application/scim+json';
    if (req.ifMatch) headers['if-match'] = req.ifMatch;
    // One deadline for the whole exchange, body included.
    const signal = AbortSignal.timeout(o.timeoutMs);
    try {
      const res = await request(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? null : JSON.stringify(req.body),
        signal,
        dispatcher: o.dispatcher,
      });
      // Once a write has its status, the body cannot change what happened: a broken or huge body is
      // dropped rather than turned into an error that would hide an applied change.
      const text =
        req.method === 'GET'
          ? await readCapped(res.body, o.maxBytes, header(res.headers, 'content-length'))
          : await readCapped(res.body, o.maxBytes, header(res.headers, 'content-length')).catch(() => '');
      const etag = header(res.headers, 'etag');
      const retryAfter = header(res.headers, 'retry-after');
      o.logger.debug(
        { scim: { method: req.method, path: req.path, status: res.statusCode } },
        'SCIM request',
      );
      return {
        status: res.statusCode,
        text,
        ...(etag ? { etag } : {}),
        ...(retryAfter ? { retryAfter } : {}),
      };
    } catch (err) {
      if (signal.aborted && !(err instanceof TooLarge)) throw new Timeout();
      throw err;
    }
  }
}

function isTransportFault(err: unknown): boolean {
  if (err instanceof Timeout || err instanceof TooLarge) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (NETWORK_CODES.has(code) || /^E[A-Z]+$/.test(code));
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  max: number,
  length?: string,
): Promise<string> {
  if (length !== undefined && Number(length) > max) {
    body.destroy();
    throw new TooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) {
      body.destroy();
      throw new TooLarge();
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Seconds or an HTTP date, as milliseconds from now; undefined when unreadable. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Parses a 2xx JSON body; a malformed one is the server's fault, not ours. */
export function parseJson(res: ScimResponse, what: string, redact: Redact, tenantId: string): unknown {
  try {
    return JSON.parse(res.text);
  } catch (cause) {
    throw new RolecallError(
      'SCIM.INVALID_RESPONSE',
      redact(`SCIM ${what} (tenant ${tenantId}): the answer is not valid JSON (HTTP ${res.status})`),
      { cause, details: { tenantId, status: res.status } },
    );
  }
}
