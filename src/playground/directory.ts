import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  commitPatch,
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
} from './scim-http.ts';
import { matches } from './scim-server/filter.ts';
import { type Resource, ScimState } from './scim-server/state.ts';

/**
 * The playground's directory: a minimal, honest SCIM 2.0 service provider on 127.0.0.1 (Users and
 * Groups, GET by id, list with RFC 7644 §3.4.2.2 filters and paging, PATCH, ETags, the `groups`
 * attribute on users). It keeps no request log and has no fault knobs, so a playground left
 * running for days holds only the sample people. The fault-injecting server the tests use, with
 * its request log, is test/support/scim-server/server.ts; both share ./scim-http.ts.
 */
export interface PlaygroundDirectory {
  baseUrl: string;
  state: ScimState;
  close(): Promise<void>;
}

const SHOWN = { etags: true, userGroups: true };

export async function startPlaygroundDirectory(o: { token: string }): Promise<PlaygroundDirectory> {
  const state = new ScimState();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = requestTarget(req);
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
  ): RouteResult {
    const t = target(state, method, path);
    if (t.kind === 'config') return { status: 200, body: providerConfig(true) };
    if (t.id === undefined) return { status: 200, body: list(t.kind, query) };
    if (method === 'PATCH') {
      if (ifMatch && ifMatch !== '*' && ifMatch !== state.etag(t.id))
        throw new HttpFail(412, 'version mismatch');
      commitPatch(state, t.kind, t.found, structuredClone(t.found), operations(body), false);
    }
    return { status: 200, body: project(rendered(t.kind, t.found), query), etag: state.etag(t.id) };
  }

  const rendered = (kind: ScimKind, r: Resource) => render(state, baseUrl, kind, r, SHOWN);

  function list(kind: ScimKind, query: Record<string, string>): unknown {
    const { startIndex, count } = paging(query);
    const filter = query.filter ? parsedFilter(query.filter) : undefined;
    const all = [...(kind === 'Users' ? state.users : state.groups).values()]
      .map((r) => rendered(kind, r))
      .filter((r) => !filter || matches(filter, r, false));
    const page = all.slice(startIndex - 1, startIndex - 1 + count).map((r) => project(r, query));
    return {
      schemas: [LIST_SCHEMA],
      totalResults: all.length,
      startIndex,
      itemsPerPage: page.length,
      Resources: page,
    };
  }

  const { baseUrl, close } = await listenScim(handle);
  return { baseUrl, state, close };
}
