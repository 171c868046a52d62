import { formatDuration } from '../core/duration.ts';
import type { RoleRequest } from '../core/request-record.ts';
import { code, rich } from '../core/rich-text.ts';
import { type AppDeps, tenantForTeam } from './deps.ts';
import { identify } from './identify.ts';
import type { HomeView } from './inbound.ts';
import { when } from './messages.ts';

const line = (r: RoleRequest) =>
  rich`${r.action} ${code(r.role)} ${r.action === 'grant' ? 'for' : 'from'} ${r.target.displayName ?? '?'} — ${r.state.replace(/_/g, ' ')}${r.durationMs ? ` (${formatDuration(r.durationMs)})` : ''} · ${when(r.updatedAt)} · ${r.id}`;

/** App Home: own requests and time-bound grants for everyone; pending approvals and audit for those who may see them. */
export async function renderHome(deps: AppDeps, userId: string, teamId: string): Promise<HomeView> {
  const who = await identify(deps, userId, undefined);
  if (!who.ok || !tenantForTeam(deps.policy, who.person.chatUser.teamId ?? teamId))
    return {
      sections: [{ title: 'Rolecall', lines: ['Rolecall serves members of this organisation’s directory.'] }],
    };
  const { person } = who;
  const roles: string[] = person.roles;
  const tenant = person.tenant;
  const mine = await deps.requests.find({ tenantId: tenant.id, requesterSlackUserId: userId, limit: 10 });
  const grants = await deps.requests.find({
    tenantId: tenant.id,
    targetSlackUserId: userId,
    states: ['applied'],
    limit: 20,
  });
  const timed = grants
    .filter((g) => g.grantEndsAt)
    .map((g) => rich`${code(g.role)} until ${when(g.grantEndsAt!)}`);
  const sections: HomeView['sections'] = [
    {
      title: 'Your requests',
      lines: mine.length
        ? mine.map(line)
        : ['No requests yet. Mention me or DM me, e.g. “make me an editor for 2h”.'],
    },
    { title: 'Your time-bound roles', lines: timed.length ? timed : ['None.'] },
  ];
  const pending = await deps.requests.find({ tenantId: tenant.id, states: ['awaiting_approval'], limit: 20 });
  const forMe = pending.filter(
    (r) =>
      r.decision.kind === 'needs_approval' &&
      r.decision.approverRoles.some((role) => roles.includes(role)) &&
      r.requester.slackUserId !== userId,
  );
  if (forMe.length) sections.push({ title: 'Waiting for your approval', lines: forMe.map(line) });
  if (tenant.adminRoles.some((r) => roles.includes(r))) {
    // Newest first from the store: reading the oldest N and keeping the tail froze at N (issue 13).
    const records = await deps.audit.query({ tenantId: tenant.id, limit: 10, order: 'desc' });
    sections.push({
      title: 'Latest audit records',
      lines: records.map(
        (a) =>
          rich`${when(a.at)} · ${a.kind} · ${a.role ?? ''} · ${a.target?.displayName ?? a.target?.email ?? ''}${a.requestId ? ` · ${a.requestId}` : ''}`,
      ),
    });
  }
  return { sections };
}
