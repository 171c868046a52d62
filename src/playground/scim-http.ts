import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Filter, type FilterError, parseFilter } from './scim-server/filter.ts';
import { applyPatch, PatchError, type PatchOperation } from './scim-server/patch.ts';
import { GROUP_SCHEMA, type Resource, type ScimState, USER_SCHEMA } from './scim-server/state.ts';

/**
 * The HTTP side of a SCIM 2.0 service provider (RFC 7644), shared by the playground's minimal
 * directory (./directory.ts) and the fault-injecting test server (test/support/scim-server), so
 * the two answer alike wherever no fault knob says otherwise: error bodies (§3.12), list
 * responses (§3.4.2), routes, attribute projection (§3.4.2.5), PATCH commit, rendering, listening.
 */

export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
/** Multi-valued attributes of the core schemas (RFC 7643 §4.1.2, §4.2) that PATCH treats as lists. */
export const MULTI_VALUED = new Set([
  'emails',
  'roles',
  'members',
  'phonenumbers',
  'entitlements',
  'addresses',
]);

export type ScimKind = 'Users' | 'Groups';
export interface RouteResult {
  status: number;
  body?: unknown;
  etag?: string;
}

/** An expected refusal: answered as a SCIM error with this status (and scimType, §3.12). */
export class HttpFail extends Error {
  readonly status: number;
  readonly scimType?: string;
  constructor(status: number, detail: string, scimType?: string) {
    super(detail);
    this.status = status;
    if (scimType) this.scimType = scimType;
  }
}

export function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) return void res.writeHead(status).end();
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

export function fail(res: ServerResponse, err: HttpFail): void {
  send(res, err.status, {
    schemas: [ERROR_SCHEMA],
    status: String(err.status),
    detail: err.message,
    ...(err.scimType ? { scimType: err.scimType } : {}),
  });
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The path below /scim/v2 and the query parameters. */
export function requestTarget(req: IncomingMessage): { path: string; query: Record<string, string> } {
  const url = new URL(req.url ?? '/', 'http://x');
  return { path: url.pathname.replace(/^\/scim\/v2/, ''), query: Object.fromEntries(url.searchParams) };
}

/**
 * Serves `handle` on 127.0.0.1 at a free port. A thrown HttpFail is answered as a SCIM error,
 * anything else as 500; nothing is answered twice.
 */
export async function listenScim(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return;
      if (err instanceof HttpFail) return fail(res, err);
      send(res, 500, { schemas: [ERROR_SCHEMA], status: '500', detail: String(err) });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type Target =
  | { kind: 'config' }
  | { kind: ScimKind; id?: undefined }
  | { kind: ScimKind; id: string; found: Resource };

/**
 * Where a request goes: the provider config, a list, or one existing resource that may be read or
 * patched. Unknown routes are 404, other methods 501 (no creating or deleting here).
 */
export function target(state: ScimState, method: string, path: string): Target {
  if (method === 'GET' && path === '/ServiceProviderConfig') return { kind: 'config' };
  const m = /^\/(Users|Groups)(?:\/([^/]+))?$/.exec(path);
  if (!m) throw new HttpFail(404, `no route ${path}`);
  const kind = m[1] as ScimKind;
  const id = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  if (method === 'GET' && id === undefined) return { kind };
  if (id === undefined || (method !== 'GET' && method !== 'PATCH'))
    throw new HttpFail(501, `${method} ${path} is not supported here`);
  const found = (kind === 'Users' ? state.users : state.groups).get(id);
  if (!found) throw new HttpFail(404, `${kind.slice(0, -1)} ${id} not found`);
  return { kind, id, found };
}

/** RFC 7643 §5; `etag` says whether ETags are advertised. */
export function providerConfig(etag: boolean): unknown {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 1000 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: etag },
    authenticationSchemes: [],
  };
}

/** RFC 7644 §3.4.2.4: 1-based startIndex, count capped at 1000. */
export function paging(query: Record<string, string>): { startIndex: number; count: number } {
  return {
    startIndex: Math.max(1, Number(query.startIndex ?? 1) || 1),
    count: Math.min(1000, Math.max(0, Number(query.count ?? 100))),
  };
}

/** A filter that does not parse is 400 invalidFilter (RFC 7644 §3.12). */
export function parsedFilter(text: string): Filter {
  try {
    return parseFilter(text);
  } catch (err) {
    throw new HttpFail(400, `bad filter: ${(err as FilterError).message}`, 'invalidFilter');
  }
}

/** RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes`; id, schemas and meta always stay. */
export function project(r: Record<string, unknown>, query: Record<string, string>): Record<string, unknown> {
  const names = (s: string | undefined) => new Set((s ?? '').split(',').map((x) => x.trim().toLowerCase()));
  if (query.attributes) {
    const keep = names(query.attributes);
    return Object.fromEntries(
      Object.entries(r).filter(([k]) => ['id', 'schemas', 'meta'].includes(k) || keep.has(k.toLowerCase())),
    );
  }
  const drop = names(query.excludedAttributes);
  return Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k.toLowerCase())));
}

/** The Operations of a PATCH body (RFC 7644 §3.5.2); without them, 400 invalidSyntax. */
export function operations(body: unknown): PatchOperation[] {
  const ops = (body as { Operations?: PatchOperation[] } | undefined)?.Operations;
  if (!Array.isArray(ops)) throw new HttpFail(400, 'Operations missing', 'invalidSyntax');
  return ops;
}

/**
 * Applies `ops` to `copy` and, only if all of them succeed and every group member exists, makes
 * `copy` the stored resource (PATCH is atomic, RFC 7644 §3.5.2).
 */
export function commitPatch(
  state: ScimState,
  kind: ScimKind,
  found: Resource,
  copy: Resource,
  ops: PatchOperation[],
  duplicates: boolean,
): void {
  try {
    applyPatch(copy, ops, { duplicates, multiValued: MULTI_VALUED });
  } catch (err) {
    if (err instanceof PatchError) throw new HttpFail(400, err.message, err.scimType);
    throw err;
  }
  if (kind === 'Groups')
    for (const mem of (copy.members as { value: string }[] | undefined) ?? [])
      if (!state.users.has(mem.value)) throw new HttpFail(400, `no user ${mem.value}`, 'invalidValue');
  for (const k of Object.keys(found)) delete found[k];
  Object.assign(found, copy);
  state.touch(found.id);
}

/**
 * A stored resource as served: schemas, meta (version only with ETags) and, on users, the
 * read-only `groups` attribute (RFC 7643 §4.1.2) unless the server leaves it out.
 */
export function render(
  state: ScimState,
  baseUrl: string,
  kind: ScimKind,
  r: Resource,
  o: { etags: boolean; userGroups: boolean },
): Record<string, unknown> {
  const meta = {
    resourceType: kind === 'Users' ? 'User' : 'Group',
    location: `${baseUrl}/${kind}/${r.id}`,
    ...(o.etags ? { version: state.etag(r.id) } : {}),
  };
  if (kind === 'Groups') return { schemas: [GROUP_SCHEMA], ...structuredClone(r), meta };
  if (!o.userGroups) return { schemas: [USER_SCHEMA], ...structuredClone(r), meta };
  const groups = [...state.groups.values()]
    .filter((g) => memberSet(g).has(r.id))
    .map((g) => ({ value: g.id, display: g.displayName, type: 'direct' }));
  return { schemas: [USER_SCHEMA], ...structuredClone(r), groups, meta };
}

// Member sets per group members array (PATCH and tests replace the array), so rendering a user
// stays cheap with 50 000-member groups (benchmarks).
const memberSets = new WeakMap<object, { size: number; ids: Set<string> }>();
function memberSet(g: Resource): Set<string> {
  const list = (g.members as { value: string }[] | undefined) ?? [];
  const hit = memberSets.get(list);
  if (hit && hit.size === list.length) return hit.ids;
  const ids = new Set(list.map((m) => m.value));
  memberSets.set(list, { size: list.length, ids });
  return ids;
}
