import { checkApprovalChannelsProbe } from '../adapters/slack/approval-channels.ts';
import type { Probe } from '../app/check-health.ts';
import type { Config } from '../config.ts';

/**
 * `rolecall doctor`'s `approvals` line: can the bot post in every tenant's approval channel? No
 * line when no tenant has one. Kept out of doctor.ts so the Slack and SCIM checks change apart.
 */
export function approvalsCheck(config: Config, env: Config['env'], timeoutMs: number): { approvals?: Probe } {
  const channels = config.policy.tenants.flatMap((t) => t.slack.approvalChannel ?? []);
  if (channels.length === 0) return {};
  return { approvals: () => checkApprovalChannelsProbe(env, channels, timeoutMs) };
}
