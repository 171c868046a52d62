import { z } from 'zod';
import { RolecallError } from '../../core/errors.ts';
import type { DirectoryUser } from '../../ports/directory.ts';

/**
 * The shapes Rolecall reads from SCIM servers: only the fields it uses, tolerant of the nulls and
 * string booleans real servers send, strict about what identity depends on (ids, userName).
 */

const Meta = z.looseObject({ version: z.string().nullish() }).nullish();

const MultiValue = z.looseObject({
  value: z.string(),
  display: z.string().nullish(),
  type: z.string().nullish(),
  primary: z.union([z.boolean(), z.string()]).nullish(),
});

const Active = z
  .union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])])
  .nullish()
  .transform((v) => (typeof v === 'string' ? v.toLowerCase() === 'true' : v));

export const ScimUser = z.looseObject({
  id: z.string().min(1),
  userName: z.string().min(1),
  displayName: z.string().nullish(),
  name: z
    .looseObject({
      formatted: z.string().nullish(),
      givenName: z.string().nullish(),
      familyName: z.string().nullish(),
    })
    .nullish(),
  emails: z.array(MultiValue).nullish(),
  externalId: z.string().nullish(),
  active: Active,
  groups: z.array(MultiValue).nullish(),
  roles: z.array(MultiValue).nullish(),
  meta: Meta,
});
export type ScimUser = z.infer<typeof ScimUser>;

export const ScimGroup = z.looseObject({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  members: z.array(MultiValue).nullish(),
  meta: Meta,
});
export type ScimGroup = z.infer<typeof ScimGroup>;

export const ListResponse = z.looseObject({
  totalResults: z.number().int().min(0),
  startIndex: z.number().int().nullish(),
  itemsPerPage: z.number().int().nullish(),
  Resources: z.array(z.unknown()).nullish(),
});
export type ListResponse = z.infer<typeof ListResponse>;

export function parseShape<T>(
  schema: z.ZodType<T>,
  value: unknown,
  what: string,
  tenantId: string,
  redact: (s: string) => string,
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
  throw new RolecallError(
    'SCIM.INVALID_RESPONSE',
    redact(`SCIM ${what} (tenant ${tenantId}): the answer has the wrong shape (${where})`),
    { details: { tenantId, issues: r.error.issues.length } },
  );
}

export function toDirectoryUser(u: ScimUser): DirectoryUser {
  const composed = [u.name?.givenName, u.name?.familyName].filter(Boolean).join(' ');
  const displayName = u.displayName || u.name?.formatted || composed || undefined;
  const primaryFirst = [...(u.emails ?? [])].sort(
    (a, b) => Number(isPrimary(b.primary)) - Number(isPrimary(a.primary)),
  );
  return {
    id: u.id,
    userName: u.userName,
    ...(displayName ? { displayName } : {}),
    emails: [...new Set(primaryFirst.map((e) => e.value))],
    ...(u.externalId ? { externalId: u.externalId } : {}),
    active: u.active ?? true,
  };
}

function isPrimary(p: boolean | string | null | undefined): boolean {
  return p === true || p === 'true' || p === 'True';
}

/** The resource's version for If-Match: the ETag header, else `meta.version`. */
export function versionOf(etag: string | undefined, meta: { version?: string | null } | null | undefined) {
  return etag ?? meta?.version ?? undefined;
}
