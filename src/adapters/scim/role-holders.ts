import { getJson, type ScimContext } from './context.ts';
import { ScimGroup } from './schemas.ts';

/**
 * Holders of one role in the groups model: one GET of that group's members, at most `limit` of
 * them (issue 16, "who are the admins?"). Never a listing of users.
 */
export async function readRoleHolders(
  ctx: ScimContext,
  groupId: string,
  limit: number,
): Promise<{ id: string; displayName?: string }[]> {
  const res = await getJson(
    ctx,
    { path: `/Groups/${encodeURIComponent(groupId)}`, query: { attributes: 'members' }, accept: [404] },
    ScimGroup,
    'GET /Groups/{id} members',
  );
  return (res.value?.members ?? [])
    .slice(0, limit)
    .map((m) => ({ id: m.value, ...(m.display ? { displayName: m.display } : {}) }));
}
