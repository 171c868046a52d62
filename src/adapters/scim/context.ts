import type { z } from 'zod';
import type { ScimConfig, Tenant } from '../../core/policy-schema.ts';
import type { Logger } from '../log/logger.ts';
import { isUnsupportedForm, type Redact, scimError } from './errors.ts';
import { parseJson, type ScimHttp, type ScimRequest } from './http.ts';
import { ListResponse, parseShape } from './schemas.ts';

/** What every part of one tenant's SCIM client shares. */
export interface ScimContext {
  tenant: Tenant;
  cfg: ScimConfig;
  http: ScimHttp;
  logger: Logger;
  redact: Redact;
  /** Epoch ms, for cache lifetimes. */
  now: () => number;
  /** What the server says about itself (/ServiceProviderConfig), read once. */
  provider: () => Promise<ProviderFacts>;
}

export interface ProviderFacts {
  /** `etag.supported` is true: If-Match is honoured, so a guarded write cannot lose an update. */
  etags: boolean;
}

/**
 * Reads /ServiceProviderConfig once per directory (RFC 7643 §5). A server that has none, or does
 * not answer, is taken to support nothing optional: ETags are then not trusted.
 */
export function providerFacts(ctx: Omit<ScimContext, 'provider'>): () => Promise<ProviderFacts> {
  let facts: Promise<ProviderFacts> | undefined;
  return () => {
    facts ??= (async () => {
      try {
        const res = await ctx.http.send({
          method: 'GET',
          path: '/ServiceProviderConfig',
          accept: [404, 501],
        });
        if (res.status >= 300) return { etags: false };
        const json = JSON.parse(res.text) as { etag?: { supported?: unknown } };
        return { etags: json.etag?.supported === true || json.etag?.supported === 'true' };
      } catch (err) {
        ctx.logger.info({ err }, 'SCIM ServiceProviderConfig unreadable; ETags not trusted');
        facts = undefined;
        return { etags: false };
      }
    })();
    return facts;
  };
}

export async function getJson<T>(
  ctx: ScimContext,
  req: Omit<ScimRequest, 'method'>,
  schema: z.ZodType<T>,
  what: string,
): Promise<{ status: number; value?: T; etag?: string }> {
  const res = await ctx.http.send({ ...req, method: 'GET' });
  if (res.status >= 300) return { status: res.status };
  const json = parseJson(res, what, ctx.redact, ctx.tenant.id);
  return {
    status: res.status,
    value: parseShape(schema, json, what, ctx.tenant.id, ctx.redact),
    ...(res.etag ? { etag: res.etag } : {}),
  };
}

export interface ListOptions<T> {
  filter?: string;
  /** Stop once this many distinct resources are in hand. */
  max: number;
  attributes?: string;
  excludedAttributes?: string;
  schema: z.ZodType<T>;
  key: (t: T) => string;
  what: string;
}

/**
 * Pages through a filtered collection. Stops when `totalResults` is reached or `max` resources
 * are in hand; a page that adds nothing new, or paging beyond `maxPages`, is an error rather than
 * a loop or a silently short answer.
 */
export async function listResources<T>(
  ctx: ScimContext,
  path: '/Users' | '/Groups',
  o: ListOptions<T>,
): Promise<{ items: T[]; totalResults: number }> {
  const seen = new Set<string>();
  const items: T[] = [];
  let startIndex = 1;
  for (let page = 1; page <= ctx.cfg.maxPages; page++) {
    const count = Math.max(1, Math.min(ctx.cfg.pageSize, o.max - items.length));
    const { value } = await getJson(
      ctx,
      {
        path,
        query: {
          filter: o.filter,
          startIndex,
          count,
          attributes: o.attributes,
          excludedAttributes: o.excludedAttributes,
        },
      },
      ListResponse,
      `${o.what} (page ${page})`,
    );
    const list = value!;
    const resources = list.Resources ?? [];
    let fresh = 0;
    for (const r of resources) {
      const item = parseShape(o.schema, r, o.what, ctx.tenant.id, ctx.redact);
      const k = o.key(item);
      if (seen.has(k)) continue;
      seen.add(k);
      items.push(item);
      fresh++;
    }
    if (items.length >= list.totalResults || items.length >= o.max)
      return { items, totalResults: list.totalResults };
    if (fresh === 0)
      throw scimError(
        'SCIM.INVALID_RESPONSE',
        `SCIM ${o.what} (tenant ${ctx.tenant.id}): paging made no progress at startIndex ${startIndex} ` +
          `(${items.length} of ${list.totalResults} resources read)`,
        ctx.redact,
        { tenantId: ctx.tenant.id, startIndex, totalResults: list.totalResults },
      );
    startIndex += resources.length;
  }
  throw scimError(
    'SCIM.INVALID_RESPONSE',
    `SCIM ${o.what} (tenant ${ctx.tenant.id}): still not complete after ${ctx.cfg.maxPages} pages; stopped`,
    ctx.redact,
    { tenantId: ctx.tenant.id, maxPages: ctx.cfg.maxPages },
  );
}

/**
 * Tries request forms in order until the server accepts one, and remembers the accepted index so
 * later calls go straight to it. A rejection is learned only from evidence one odd value cannot
 * cause: with a `probe` (the same form with a plain value), a form is abandoned for good only when
 * the probe is refused too; otherwise only this call moves on to the next form.
 */
export class FormMemo {
  #index = 0;
  readonly #name: string;
  readonly #ctx: ScimContext;

  constructor(ctx: ScimContext, name: string) {
    this.#ctx = ctx;
    this.#name = name;
  }

  get index(): number {
    return this.#index;
  }

  async run<R>(
    count: number,
    attempt: (i: number) => Promise<R>,
    probe?: (i: number) => Promise<unknown>,
  ): Promise<R> {
    for (let i = this.#index; ; i++) {
      try {
        return await attempt(i);
      } catch (err) {
        if (!isUnsupportedForm(err) || i + 1 >= count) throw err;
        const learned = !probe || (await this.#refusedPlainly(probe, i));
        this.#ctx.logger.info(
          { scim: { form: this.#name, rejected: i, next: i + 1, learned } },
          learned
            ? 'SCIM server does not support this form; trying the next one'
            : 'SCIM server refused this form for this value only; trying the next one for it',
        );
        // Another call may have advanced it meanwhile; never move backwards.
        if (learned) this.#index = Math.max(this.#index, i + 1);
      }
    }
  }

  async #refusedPlainly(probe: (i: number) => Promise<unknown>, i: number): Promise<boolean> {
    try {
      await probe(i);
      return false;
    } catch (err) {
      return isUnsupportedForm(err);
    }
  }
}
