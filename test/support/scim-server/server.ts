import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  commitPatch,
  fail,
  HttpFail,
  LIST_SCHEMA,
  listenScim,
  operations,
  paging,
  parsedFilter,
  project,
  providerConfig,
  type RouteResult,
  readBody,
  render,
  requestTarget,
  type ScimKind,
  send,
  target,
} from '../../../src/playground/scim-http.ts';
import { defaultFaults, injectFault, type LoggedRequest, type ScimFaults, takeRule } from './faults.ts';
import { type Filter, filterFeatures, matches, withoutMemberTerms } from './filter.ts';
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
 * minimal src/playground/directory.ts instead; both share state, filter, patch
 * and the HTTP plumbing, src/playground/scim-http.ts, from there.)
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

export async function startScimServer(o: ScimServerOptions = {}): Promise<ScimServer> {
  const state = new ScimState();
  for (const u of o.users ?? []) state.addUser(u);
  for (const g of o.groups ?? []) state.addGroup(g);
  const faults: ScimFaults = { ...defaultFaults(), ...o.faults };
  const requests: LoggedRequest[] = [];
  const limit = o.requestLogLimit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0))
    throw new RangeError(`requestLogLimit: a whole number of 0 or more, not ${limit}`);
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = requestTarget(req);
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
    let result: RouteResult;
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
  ): RouteResult {
    const t = target(state, method, path);
    // etag.supported as configured, so a client can be told the truth or a lie.
    if (t.kind === 'config')
      return { status: 200, body: providerConfig(faults.advertiseEtags ?? faults.etags) };
    if (t.id === undefined) return { status: 200, body: list(t.kind, query) };
    const { kind, id, found } = t;
    if (method === 'PATCH') {
      if (faults.etags && ifMatch && ifMatch !== '*' && ifMatch !== state.etag(id))
        throw new HttpFail(412, 'version mismatch');
      patchResource(kind, found, body, faults.patchAppliesQuery ? query : {});
      faults.rules.push(...faults.afterWrite.splice(0));
    }
    const out = project(rendered(kind, found), query);
    if (method === 'PATCH' && faults.patchNoContent) return { status: 204, ...etagOf(id) };
    return { status: 200, body: out, ...etagOf(id) };
  }

  function etagOf(id: string): { etag?: string } {
    return faults.etags ? { etag: state.etag(id) } : {};
  }

  function patchResource(
    kind: 'Users' | 'Groups',
    found: Resource,
    body: unknown,
    query: Record<string, string>,
  ): void {
    const ops = operations(body);
    if (faults.rejectValuePathPatch && ops.some((op) => op.path?.includes('[')))
      throw new HttpFail(400, 'value filters in paths are not supported', 'invalidPath');
    if (faults.ignorePatch) return;
    // `query` is non-empty only under patchAppliesQuery: the stored resource loses what it excludes.
    const copy = { ...project(structuredClone(found), query), id: found.id } as Resource;
    commitPatch(state, kind, found, copy, ops, faults.duplicateMembers);
  }

  const rendered = (kind: ScimKind, r: Resource) =>
    render(state, baseUrl, kind, r, { etags: faults.etags, userGroups: faults.userGroups });

  function list(kind: 'Users' | 'Groups', query: Record<string, string>): unknown {
    const { startIndex, count } = paging(query);
    if (faults.endlessPaging) {
      const Resources = Array.from({ length: count }, (_, i) => {
        const n = startIndex + i;
        return kind === 'Users'
          ? { schemas: [USER_SCHEMA], id: `endless-${n}`, userName: `endless-${n}` }
          : { schemas: [GROUP_SCHEMA], id: `endless-${n}`, displayName: `endless-${n}` };
      });
      return {
        schemas: [LIST_SCHEMA],
        totalResults: 1_000_000_000,
        startIndex,
        itemsPerPage: count,
        Resources,
      };
    }
    const checked = query.filter ? checkedFilter(kind, query.filter) : undefined;
    const filter = faults.ignoreFilters
      ? undefined
      : checked && faults.ignoreMemberFilter && kind === 'Groups'
        ? withoutMemberTerms(checked)
        : checked;
    // Filters that name only stored attributes are matched before rendering (100 000-user benchmarks).
    const early = filter && ![...filterFeatures(filter).attrs].some((a) => /^(groups|meta|schemas)/.test(a));
    const all = [...(kind === 'Users' ? state.users : state.groups).values()]
      .filter((r) => !early || matches(filter, r, faults.caseSensitiveFilters))
      .map((r) => rendered(kind, r))
      .filter((r) => !filter || early || matches(filter, r, faults.caseSensitiveFilters));
    const from = faults.repeatFirstPage ? 0 : startIndex - 1;
    const page = all.slice(from, from + count).map((r) => project(r, query));
    const totalResults = all.length + (faults.repeatFirstPage ? 50 : 0);
    return { schemas: [LIST_SCHEMA], totalResults, startIndex, itemsPerPage: page.length, Resources: page };
  }

  function checkedFilter(kind: 'Users' | 'Groups', text: string): Filter {
    const f = parsedFilter(text);
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

  const { baseUrl, close } = await listenScim(handle);
  return { baseUrl, state, faults, requests, close };
}
