import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultFaults, injectFault, type LoggedRequest, type ScimFaults, takeRule } from './faults.ts';
import {
  type Filter,
  type FilterError,
  filterFeatures,
  matches,
  parseFilter,
  withoutMemberTerms,
} from './filter.ts';
import { applyPatch, PatchError, type PatchOperation } from './patch.ts';
import {
  GROUP_SCHEMA,
  type Resource,
  ScimState,
  type SeedGroup,
  type SeedUser,
  USER_SCHEMA,
} from './state.ts';

/**
 * An in-memory SCIM 2.0 service provider on 127.0.0.1 for tests, the Slack end-to-end suites and
 * the benchmarks: Users, Groups, filters, PATCH, a `groups` attribute on users, ETags, a request
 * log, and fault knobs that imitate the ways real directories misbehave. (The playground runs the
 * minimal src/playground/directory.ts instead; both share state, filter and patch from there.)
 */

export type { FaultAction, FaultRule, LoggedRequest, ScimFaults } from './faults.ts';
export type { SeedGroup, SeedUser } from './state.ts';

export interface ScimServerOptions {
  users?: SeedUser[];
  groups?: SeedGroup[];
  /** Bearer token to require; with neither token nor basic, requests are not authenticated. */
  token?: string;
  basic?: { username: string; password: string };
  faults?: Partial<ScimFaults>;
  /**
   * Keep only the newest N entries in `requests` (bodies included), so a long-running process
   * does not grow without bound. Default: all of them, for tests that count requests.
   */
  requestLogLimit?: number;
}

export interface ScimServer {
  baseUrl: string;
  state: ScimState;
  faults: ScimFaults;
  requests: LoggedRequest[];
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

export async function startScimServer(o: ScimServerOptions = {}): Promise<ScimServer> {
  const state = new ScimState();
  for (const u of o.users ?? []) state.addUser(u);
  for (const g of o.groups ?? []) state.addGroup(g);
  const faults: ScimFaults = { ...defaultFaults(), ...o.faults };
  const requests: LoggedRequest[] = [];
  const limit = o.requestLogLimit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0))
    throw new RangeError(`requestLogLimit: a whole number of 0 or more, not ${limit}`);
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { schemas: [ERROR], status: '500', detail: String(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/scim\/v2/, '');
    const query = Object.fromEntries(url.searchParams);
    const text = await readBody(req);
    const log: LoggedRequest = {
      method: req.method ?? 'GET',
      path,
      query,
      ...(query.filter !== undefined ? { filter: query.filter } : {}),
      ...(req.headers['if-match'] ? { ifMatch: String(req.headers['if-match']) } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    };
    requests.push(log);
    // In place: callers hold on to `requests` itself.
    if (limit !== undefined && requests.length > limit) requests.splice(0, requests.length - limit);
    res.on('finish', () => {
      log.status = res.statusCode;
    });
    try {
      log.body = text ? JSON.parse(text) : undefined;
    } catch {
      return fail(res, new HttpFail(400, 'body is not JSON', 'invalidSyntax'));
    }
    faults.onRequest?.(log);
    if (!authorized(req)) return fail(res, new HttpFail(401, 'authentication required'));
    const rule = takeRule(faults, log.method, path);
    const a = rule?.action;
    const applyFirst = (a?.kind === 'status' || a?.kind === 'reset') && a.apply === true;
    if (a && !applyFirst) return injectFault(res, a, req);
    let result: { status: number; body?: unknown; etag?: string };
    try {
      result = route(log.method, path, query, log.body, log.ifMatch);
    } catch (err) {
      if (err instanceof HttpFail) return rule ? injectFault(res, rule.action, req) : fail(res, err);
      throw err;
    }
    if (rule) return injectFault(res, rule.action, req, result.body);
    if (result.etag) res.setHeader('etag', result.etag);
    send(res, result.status, result.body);
  }

  function authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization ?? '';
    if (o.token) return h === `Bearer ${o.token}`;
    if (o.basic)
      return h === `Basic ${Buffer.from(`${o.basic.username}:${o.basic.password}`).toString('base64')}`;
    return true;
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
    const store = kind === 'Users' ? state.users : state.groups;
    const id = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    if (method === 'GET' && id === undefined) return { status: 200, body: list(kind, query) };
    if (id === undefined || (method !== 'GET' && method !== 'PATCH'))
      throw new HttpFail(501, `${method} ${path} is not supported here`);
    const found = store.get(id);
    if (!found) throw new HttpFail(404, `${kind.slice(0, -1)} ${id} not found`);
    if (method === 'PATCH') {
      if (faults.etags && ifMatch && ifMatch !== '*' && ifMatch !== state.etag(id))
        throw new HttpFail(412, 'version mismatch');
      patchResource(kind, found, body, faults.patchAppliesQuery ? query : {});
      faults.rules.push(...faults.afterWrite.splice(0));
    }
    const out = project(render(kind, found), query);
    if (method === 'PATCH' && faults.patchNoContent) return { status: 204, ...etagOf(id) };
    return { status: 200, body: out, ...etagOf(id) };
  }

  function etagOf(id: string): { etag?: string } {
    return faults.etags ? { etag: state.etag(id) } : {};
  }

  /** RFC 7643 §5; etag.supported as configured, so a client can be told the truth or a lie. */
  function providerConfig(): unknown {
    return {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: faults.advertiseEtags ?? faults.etags },
      authenticationSchemes: [],
    };
  }

  function patchResource(
    kind: 'Users' | 'Groups',
    found: Resource,
    body: unknown,
    query: Record<string, string>,
  ): void {
    const ops = (body as { Operations?: PatchOperation[] } | undefined)?.Operations;
    if (!Array.isArray(ops)) throw new HttpFail(400, 'Operations missing', 'invalidSyntax');
    if (faults.rejectValuePathPatch && ops.some((op) => op.path?.includes('[')))
      throw new HttpFail(400, 'value filters in paths are not supported', 'invalidPath');
    if (faults.ignorePatch) return;
    // `query` is non-empty only under patchAppliesQuery: the stored resource loses what it excludes.
    const copy = { ...project(structuredClone(found), query), id: found.id } as Resource;
    try {
      applyPatch(copy, ops, { duplicates: faults.duplicateMembers, multiValued: MULTI });
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
      ...(faults.etags ? { version: state.etag(r.id) } : {}),
    };
    if (kind === 'Groups') return { schemas: [GROUP_SCHEMA], ...structuredClone(r), meta };
    if (!faults.userGroups) return { schemas: [USER_SCHEMA], ...structuredClone(r), meta };
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
    if (faults.endlessPaging) {
      const Resources = Array.from({ length: count }, (_, i) => {
        const n = startIndex + i;
        return kind === 'Users'
          ? { schemas: [USER_SCHEMA], id: `endless-${n}`, userName: `endless-${n}` }
          : { schemas: [GROUP_SCHEMA], id: `endless-${n}`, displayName: `endless-${n}` };
      });
      return { schemas: [LIST], totalResults: 1_000_000_000, startIndex, itemsPerPage: count, Resources };
    }
    const checked = query.filter ? checkedFilter(kind, query.filter) : undefined;
    const filter = faults.ignoreFilters
      ? undefined
      : checked && faults.ignoreMemberFilter && kind === 'Groups'
        ? withoutMemberTerms(checked)
        : checked;
    // Filters that name only stored attributes are matched before rendering (100 000-user benchmarks).
    const rendered = (r: Resource) => render(kind, r);
    const early = filter && ![...filterFeatures(filter).attrs].some((a) => /^(groups|meta|schemas)/.test(a));
    const all = [...(kind === 'Users' ? state.users : state.groups).values()]
      .filter((r) => !early || matches(filter, r, faults.caseSensitiveFilters))
      .map(rendered)
      .filter((r) => !filter || early || matches(filter, r, faults.caseSensitiveFilters));
    const from = faults.repeatFirstPage ? 0 : startIndex - 1;
    const page = all.slice(from, from + count).map((r) => project(r, query));
    const totalResults = all.length + (faults.repeatFirstPage ? 50 : 0);
    return { schemas: [LIST], totalResults, startIndex, itemsPerPage: page.length, Resources: page };
  }

  function checkedFilter(kind: 'Users' | 'Groups', text: string): Filter {
    let f: Filter;
    try {
      f = parseFilter(text);
    } catch (err) {
      throw new HttpFail(400, `bad filter: ${(err as FilterError).message}`, 'invalidFilter');
    }
    const { ops, attrs } = filterFeatures(f);
    for (const op of faults.unsupportedOperators)
      if (ops.has(op.toLowerCase()))
        throw new HttpFail(400, `operator ${op} is not supported`, 'invalidFilter');
    for (const attr of faults.unsupportedAttributes)
      if (attrs.has(attr.toLowerCase())) throw new HttpFail(400, `cannot filter on ${attr}`, 'invalidFilter');
    if (faults.rejectEmailValuePath && kind === 'Users' && ops.has('[]') && attrs.has('emails'))
      throw new HttpFail(400, 'emails[...] filters are not supported', 'invalidFilter');
    if (faults.rejectMemberFilters && kind === 'Groups' && [...attrs].some((a) => a.startsWith('members')))
      throw new HttpFail(400, 'member filters are not supported', 'invalidFilter');
    return f;
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
  return {
    baseUrl,
    state,
    faults,
    requests,
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
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/scim+json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
