import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Filter, type FilterError, matches, parseFilter } from './scim-server/filter.ts';
import { applyPatch, PatchError, type PatchOperation } from './scim-server/patch.ts';
import { GROUP_SCHEMA, type Resource, ScimState, USER_SCHEMA } from './scim-server/state.ts';

/**
 * The playground's directory: a minimal, honest SCIM 2.0 service provider on 127.0.0.1 (Users and
 * Groups, GET by id, list with RFC 7644 §3.4.2.2 filters and paging, PATCH, ETags, the `groups`
 * attribute on users). It keeps no request log and has no fault knobs, so a playground left
 * running for days holds only the sample people. The fault-injecting server the tests use, with
 * its request log, is test/support/scim-server/server.ts.
 */
export interface PlaygroundDirectory {
  baseUrl: string;
  state: ScimState;
  close(): Promise<void>;
}

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const MULTI = new Set(['emails', 'roles', 'members', 'phonenumbers', 'entitlements', 'addresses']);

class HttpFail extends Error {
  readonly status: number;
  readonly scimType?: string;
  constructor(status: number, detail: string, scimType?: string) {
    super(detail);
    this.status = status;
    if (scimType) this.scimType = scimType;
  }
}

export async function startPlaygroundDirectory(o: { token: string }): Promise<PlaygroundDirectory> {
  const state = new ScimState();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpFail) return fail(res, err);
      if (!res.headersSent) send(res, 500, { schemas: [ERROR], status: '500', detail: String(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/scim\/v2/, '');
    const query = Object.fromEntries(url.searchParams);
    const text = await readBody(req);
    if (req.headers.authorization !== `Bearer ${o.token}`) throw new HttpFail(401, 'authentication required');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new HttpFail(400, 'body is not JSON', 'invalidSyntax');
    }
    const method = req.method ?? 'GET';
    const result = route(method, path, query, body, req.headers['if-match']);
    if (result.etag) res.setHeader('etag', result.etag);
    send(res, result.status, result.body);
  }

  function route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    ifMatch: string | undefined,
  ): { status: number; body?: unknown; etag?: string } {
    if (method === 'GET' && path === '/ServiceProviderConfig') return { status: 200, body: providerConfig() };
    const m = /^\/(Users|Groups)(?:\/([^/]+))?$/.exec(path);
    if (!m) throw new HttpFail(404, `no route ${path}`);
    const kind = m[1] as 'Users' | 'Groups';
    const id = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    if (method === 'GET' && id === undefined) return { status: 200, body: list(kind, query) };
    if (id === undefined || (method !== 'GET' && method !== 'PATCH'))
      throw new HttpFail(501, `${method} ${path} is not supported here`);
    const found = (kind === 'Users' ? state.users : state.groups).get(id);
    if (!found) throw new HttpFail(404, `${kind.slice(0, -1)} ${id} not found`);
    if (method === 'PATCH') {
      if (ifMatch && ifMatch !== '*' && ifMatch !== state.etag(id))
        throw new HttpFail(412, 'version mismatch');
      patch(kind, found, body);
    }
    return { status: 200, body: project(render(kind, found), query), etag: state.etag(id) };
  }

  /** RFC 7643 §5. */
  const providerConfig = () => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 1000 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [],
  });

  function patch(kind: 'Users' | 'Groups', found: Resource, body: unknown): void {
    const ops = (body as { Operations?: PatchOperation[] } | undefined)?.Operations;
    if (!Array.isArray(ops)) throw new HttpFail(400, 'Operations missing', 'invalidSyntax');
    const copy = structuredClone(found);
    try {
      applyPatch(copy, ops, { duplicates: false, multiValued: MULTI });
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

  function render(kind: 'Users' | 'Groups', r: Resource): Record<string, unknown> {
    const meta = {
      resourceType: kind === 'Users' ? 'User' : 'Group',
      location: `${baseUrl}/${kind}/${r.id}`,
      version: state.etag(r.id),
    };
    if (kind === 'Groups') return { schemas: [GROUP_SCHEMA], ...structuredClone(r), meta };
    const groups = [...state.groups.values()]
      .filter((g) => ((g.members as { value: string }[] | undefined) ?? []).some((x) => x.value === r.id))
      .map((g) => ({ value: g.id, display: g.displayName, type: 'direct' }));
    return { schemas: [USER_SCHEMA], ...structuredClone(r), groups, meta };
  }

  function project(r: Record<string, unknown>, query: Record<string, string>): Record<string, unknown> {
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

  function list(kind: 'Users' | 'Groups', query: Record<string, string>): unknown {
    const startIndex = Math.max(1, Number(query.startIndex ?? 1) || 1);
    const count = Math.min(1000, Math.max(0, Number(query.count ?? 100)));
    const filter = query.filter ? parsed(query.filter) : undefined;
    const all = [...(kind === 'Users' ? state.users : state.groups).values()]
      .map((r) => render(kind, r))
      .filter((r) => !filter || matches(filter, r, false));
    const page = all.slice(startIndex - 1, startIndex - 1 + count).map((r) => project(r, query));
    return {
      schemas: [LIST],
      totalResults: all.length,
      startIndex,
      itemsPerPage: page.length,
      Resources: page,
    };
  }

  function parsed(text: string): Filter {
    try {
      return parseFilter(text);
    } catch (err) {
      throw new HttpFail(400, `bad filter: ${(err as FilterError).message}`, 'invalidFilter');
    }
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
  return {
    baseUrl,
    state,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function fail(res: ServerResponse, err: HttpFail): void {
  send(res, err.status, {
    schemas: [ERROR],
    status: String(err.status),
    detail: err.message,
    ...(err.scimType ? { scimType: err.scimType } : {}),
  });
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) return void res.writeHead(status).end();
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
