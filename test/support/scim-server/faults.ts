import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_SCHEMA as ERROR, LIST_SCHEMA as LIST } from '../../../src/playground/scim-http.ts';

/** Fault knobs of the test SCIM server: per-request rules plus standing behaviours. */

export type FaultAction =
  /** Answer with this status. `apply: true` processes the request first (e.g. 502 after the write). */
  | {
      kind: 'status';
      status: number;
      retryAfter?: string;
      contentType?: string;
      /** `{authorization}` / `{credential}` echo the request's header / its credential part. */
      body?: string;
      apply?: boolean;
    }
  /** Never answer (until the client gives up or the server closes). */
  | { kind: 'hang' }
  | { kind: 'malformed' }
  | { kind: 'oversized'; bytes: number; declareLength?: boolean }
  /** Start a 200 answer and cut the connection; `apply: true` processes the request first. */
  | { kind: 'reset'; apply?: boolean };

export interface FaultRule {
  method?: string;
  /** Matched against the path without the base path, e.g. `/Users` or /^\/Groups\//. */
  path?: string | RegExp;
  /** How many matching requests it hits; default 1. */
  times?: number;
  action: FaultAction;
}

export interface ScimFaults {
  rules: FaultRule[];
  caseSensitiveFilters: boolean;
  /** `emails[value eq "…"]` is refused with 400 invalidFilter. */
  rejectEmailValuePath: boolean;
  /** Filter operators refused with 400 invalidFilter, e.g. ['co', 'sw', 'or']. */
  unsupportedOperators: string[];
  /** Filter attributes refused with 400 invalidFilter, e.g. ['emails.value']. */
  unsupportedAttributes: string[];
  /** Filters are silently ignored: every list returns all resources (a broken but real behaviour). */
  ignoreFilters: boolean;
  /** Filters on Group members are refused. */
  rejectMemberFilters: boolean;
  /** PATCH paths with a value filter (`members[value eq "…"]`) are refused with invalidPath. */
  rejectValuePathPatch: boolean;
  /** Users carry a `groups` attribute. */
  userGroups: boolean;
  etags: boolean;
  patchNoContent: boolean;
  duplicateMembers: boolean;
  /** Lists never end: full pages of fresh synthetic resources and a huge totalResults. */
  endlessPaging: boolean;
  /** Lists claim this many more results than exist and repeat the first page for any startIndex. */
  repeatFirstPage: boolean;
  /** PATCH answers 200 but changes nothing. */
  ignorePatch: boolean;
  /**
   * PATCH applies the request's `attributes`/`excludedAttributes` to the stored resource before
   * patching it, so excluded attributes are lost (scimmy 1.3.x `Resource#patch` reads the resource
   * with the query's attributes, patches that and writes it back; RFC 7644 §3.9 defines them for
   * the response only).
   */
  patchAppliesQuery: boolean;
  /**
   * The `members…` part of a Group filter is silently ignored (`id eq "g" and members[value eq "u"]`
   * answers the group for any u): a lenient server, which RFC 7644 §3.4.2.2 does not allow.
   */
  ignoreMemberFilter: boolean;
  /** What /ServiceProviderConfig says about ETags (RFC 7643 §5 `etag.supported`); default: `etags`. */
  advertiseEtags?: boolean;
  /** Rules armed once a PATCH has been applied: e.g. the read after a write fails. */
  afterWrite: FaultRule[];
  /** Called as each request arrives, before it is processed. */
  onRequest?: (r: LoggedRequest) => void;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  filter?: string;
  ifMatch?: string;
  authorization?: string;
  body?: unknown;
  status?: number;
}

export function defaultFaults(): ScimFaults {
  return {
    rules: [],
    caseSensitiveFilters: false,
    rejectEmailValuePath: false,
    unsupportedOperators: [],
    unsupportedAttributes: [],
    ignoreFilters: false,
    rejectMemberFilters: false,
    rejectValuePathPatch: false,
    userGroups: true,
    etags: true,
    patchNoContent: false,
    duplicateMembers: false,
    endlessPaging: false,
    repeatFirstPage: false,
    ignorePatch: false,
    patchAppliesQuery: false,
    ignoreMemberFilter: false,
    afterWrite: [],
  };
}

export function takeRule(faults: ScimFaults, method: string, path: string): FaultRule | undefined {
  const i = faults.rules.findIndex(
    (r) =>
      (!r.method || r.method === method) &&
      (!r.path || (typeof r.path === 'string' ? r.path === path : r.path.test(path))),
  );
  if (i < 0) return undefined;
  const rule = faults.rules[i]!;
  const left = (rule.times ?? 1) - 1;
  if (left <= 0) faults.rules.splice(i, 1);
  else rule.times = left;
  return rule;
}

/** Answers as the fault says; `body` is the real answer when the request was processed first. */
export function injectFault(res: ServerResponse, a: FaultAction, req: IncomingMessage, body?: unknown): void {
  if (a.kind === 'hang') return;
  if (a.kind === 'status') {
    if (a.retryAfter) res.setHeader('retry-after', a.retryAfter);
    const text = (
      a.body ?? JSON.stringify({ schemas: [ERROR], status: String(a.status), detail: 'injected' })
    )
      .split('{authorization}')
      .join(req.headers.authorization ?? '')
      .split('{credential}')
      .join((req.headers.authorization ?? '').replace(/^\S+\s+/, ''));
    res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/scim+json' });
    res.end(text);
    return;
  }
  if (a.kind === 'malformed') {
    res.writeHead(200, { 'content-type': 'application/scim+json' });
    res.end('{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":');
    return;
  }
  if (a.kind === 'oversized') {
    const pad = 'x'.repeat(a.bytes);
    const text = `{"schemas":["${LIST}"],"totalResults":0,"padding":"${pad}"}`;
    res.writeHead(200, {
      'content-type': 'application/scim+json',
      ...(a.declareLength ? { 'content-length': Buffer.byteLength(text) } : {}),
    });
    // Chunks, so a client that stops reading early really stops the transfer.
    for (let i = 0; i < text.length; i += 64 * 1024) res.write(text.slice(i, i + 64 * 1024));
    res.end();
    return;
  }
  const text = JSON.stringify(body ?? { schemas: [LIST], totalResults: 0, Resources: [] });
  res.writeHead(200, {
    'content-type': 'application/scim+json',
    'content-length': Buffer.byteLength(text),
  });
  res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
  res.socket?.destroy();
}
