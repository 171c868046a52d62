import { createLogger } from '../../src/adapters/log/logger.ts';
import { openSqliteStores } from '../../src/adapters/store/sqlite/index.ts';
import type { RequestState, RoleRequest } from '../../src/core/request-record.ts';
import { RequestState as States } from '../../src/core/request-record.ts';
import { systemClock } from '../../src/ports/clock.ts';
import type { ScimServer } from '../support/scim-server.ts';

/** Where a request may rest after a crash and recovery: finished, or waiting for a person. */
const FINAL: RequestState[] = [
  'applied',
  'failed',
  'denied',
  'rejected',
  'expired',
  'cancelled',
  'revoked',
  'revoke_failed',
];
// `approved` is not among them: recovery applies a request a crash left there.
const RECONCILABLE: RequestState[] = ['awaiting_confirmation', 'awaiting_approval'];

export interface Findings {
  requests: number;
  byState: Record<string, number>;
  applied: number;
  recovered: number;
  patches: number;
  /** Applied records showing a change, applied live (not by recovery). */
  changesInAudit: number;
  recoveredApplied: number;
  /** Problems; empty when every invariant holds. */
  problems: string[];
  chainOk: boolean;
  auditRecords: number;
}

/**
 * Reads the bot's SQLite store (the bot stopped) and the SCIM server's request log and checks:
 * every request is final or waiting for a person; every applied request has its `applied` audit
 * record; no change reached the directory twice (landed PATCHes = audited changes); the chain verifies.
 */
export async function checkInvariants(dataDir: string, scim: ScimServer): Promise<Findings> {
  const stores = openSqliteStores({ dataDir, logger: createLogger({ level: 'silent' }), clock: systemClock });
  try {
    const requests: RoleRequest[] = [];
    for (const state of States.options)
      requests.push(...(await stores.requests.find({ states: [state], limit: 500 })));
    const audit = await stores.audit.query({ limit: 1_000_000 });
    const verify = await stores.audit.verify();
    const problems: string[] = [];
    const byState: Record<string, number> = {};
    for (const r of requests) {
      byState[r.state] = (byState[r.state] ?? 0) + 1;
      if (!FINAL.includes(r.state) && !RECONCILABLE.includes(r.state))
        problems.push(`${r.id} left in ${r.state}`);
    }
    const appliedAudit = audit.filter((a) => a.kind === 'applied');
    const auditedIds = new Set(appliedAudit.map((a) => a.requestId));
    for (const r of requests)
      if (r.state === 'applied' && !auditedIds.has(r.id))
        problems.push(`${r.id} applied without an audit record`);
    const perRequest = new Map<string, number>();
    for (const a of appliedAudit) perRequest.set(a.requestId!, (perRequest.get(a.requestId!) ?? 0) + 1);
    for (const [id, n] of perRequest) if (n > 1) problems.push(`${id} has ${n} applied audit records`);
    // A change is an applied record whose roles differ before and after. Recovery takes `before`
    // from the roles observed at confirm, so a recovered no-op is recorded as one: every write that
    // landed is exactly one recorded change, live or recovered.
    const isChange = (a: (typeof appliedAudit)[number]) =>
      JSON.stringify([...(a.rolesBefore ?? [])].sort()) !== JSON.stringify([...(a.rolesAfter ?? [])].sort());
    const recoveredIds = new Set(audit.filter((a) => a.kind === 'reconciled').map((a) => a.requestId));
    const live = appliedAudit.filter((a) => isChange(a) && !recoveredIds.has(a.requestId)).length;
    const recoveredApplied = appliedAudit.filter((a) => recoveredIds.has(a.requestId)).length;
    // Writes that landed, whatever the client heard: each applied PATCH bumps its group's version
    // (seeded groups start at 1, and nothing else writes groups).
    const landed = [...scim.state.groups.keys()].reduce(
      (n, id) => n + (scim.state.versions.get(id) ?? 1) - 1,
      0,
    );
    const recoveredChanges = appliedAudit.filter((a) => isChange(a) && recoveredIds.has(a.requestId)).length;
    if (landed !== live + recoveredChanges)
      problems.push(
        `${landed} PATCHes reached the directory for ${live} changes applied live and ${recoveredChanges} recovered`,
      );
    if (!verify.ok) problems.push(`audit chain broken at ${verify.brokenAt}`);
    return {
      requests: requests.length,
      byState,
      applied: byState.applied ?? 0,
      recovered: audit.filter((a) => a.kind === 'reconciled').length,
      patches: landed,
      changesInAudit: live,
      recoveredApplied,
      problems,
      chainOk: verify.ok,
      auditRecords: audit.length,
    };
  } finally {
    await stores.close();
  }
}
