import { webApi } from '@slack/bolt';
import { createLogger } from '../log/logger.ts';
import { SlackChat, webClientOptions } from './chat.ts';
import { type SlackEnv, slackSettings } from './settings.ts';

/**
 * Whether the bot can post in each approval channel (a member, not archived), so a misconfigured
 * channel is found at start-up and by `rolecall doctor`, not by a requester whose approvers were
 * never asked. Posting restrictions Slack does not report in conversations.info are still caught
 * when a post fails (the requester is told, the audit and metrics say so).
 */
export async function checkApprovalChannels(
  chat: Pick<SlackChat, 'canPost'>,
  channels: string[],
): Promise<{ channel: string; reason: string }[]> {
  const unique = [...new Set(channels)];
  const results = await Promise.all(
    unique.map(async (channel) => ({ channel, r: await chat.canPost(channel) })),
  );
  return results.flatMap(({ channel, r }) => (r.ok ? [] : [{ channel, reason: r.reason }]));
}

/** `rolecall doctor`'s line for approval channels: PASS detail, or throws naming each bad channel. */
export async function checkApprovalChannelsProbe(
  env: SlackEnv,
  channels: string[],
  timeoutMs = 10_000,
): Promise<string> {
  if (channels.length === 0) return 'no approval channels configured';
  const s = slackSettings(env);
  const client = new webApi.WebClient(
    s.botToken,
    webClientOptions({
      ...(s.apiUrl ? { apiUrl: s.apiUrl } : {}),
      retry: { retries: 0 },
      timeoutMs,
      logger: createLogger({ level: 'silent' }),
    }),
  );
  const problems = await checkApprovalChannels(new SlackChat(client), channels);
  if (problems.length)
    throw new Error(`the bot cannot post in ${problems.map((p) => `${p.channel} (${p.reason})`).join(', ')}`);
  const n = new Set(channels).size;
  return `the bot can post in ${n === 1 ? 'the approval channel' : `all ${n} approval channels`}`;
}
