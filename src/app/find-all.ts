import type { RoleRequest } from '../core/request-record.ts';
import type { RequestQuery, RequestStore } from '../ports/request-store.ts';

const PAGE = 500;

/**
 * Every request matching `query`, newest first, read page by page: for decisions that must see all
 * of them (a grant's history, recovery, reminders), where one clamped page would silently drop the
 * oldest. Keyset paging on (createdAt, id), which never change, so a row is seen at most once.
 */
export async function findAll(
  requests: Pick<RequestStore, 'find'>,
  query: Omit<RequestQuery, 'limit' | 'before'>,
): Promise<RoleRequest[]> {
  const all: RoleRequest[] = [];
  let before: RequestQuery['before'];
  for (;;) {
    const page = await requests.find({ ...query, limit: PAGE, ...(before ? { before } : {}) });
    all.push(...page);
    const last = page.at(-1);
    if (page.length < PAGE || !last) return all;
    before = { createdAt: last.createdAt, id: last.id };
  }
}
