import type { types } from '@slack/bolt';
import type { HomeView } from '../../app/inbound.ts';
import { DENY_MODAL_CALLBACK } from '../../app/inbound.ts';
import { type Block, chunkText, LIMITS, truncate } from './blocks.ts';
import { mrkdwn } from './mrkdwn.ts';

/** The modal `/rolecall` opens when typed without text; its submission is handled like the command. */
export const REQUEST_MODAL_CALLBACK = 'rc_request';

/** Block and action ids of the modal inputs, read back from `view.state.values`. */
export const REQUEST_INPUT = { block: 'rc_request_block', action: 'rc_request_text' } as const;
export const REASON_INPUT = { block: 'rc_reason_block', action: 'rc_reason_text' } as const;

export const MAX_REQUEST_CHARS = 2000;
export const MAX_REASON_CHARS = 500;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/**
 * `responseUrl`: the command's, carried to the submission (a view_submission has none of its own),
 * so the answer reaches the person even where the bot is not a member (30 minutes, 5 uses).
 */
export function requestModal(channelId: string, responseUrl?: string, isDm?: boolean): types.ModalView {
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL_CALLBACK,
    private_metadata: JSON.stringify({
      channelId,
      ...(isDm ? { isDm: true } : {}),
      ...(responseUrl ? { responseUrl } : {}),
    }),
    title: plain('Rolecall'),
    submit: plain('Send'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: REQUEST_INPUT.block,
        label: plain('What do you need?'),
        element: {
          type: 'plain_text_input',
          action_id: REQUEST_INPUT.action,
          multiline: true,
          max_length: MAX_REQUEST_CHARS,
          placeholder: plain('make dana an admin of billing for 2 hours'),
        },
      },
    ],
  };
}

/** The channel the command was typed in and its response_url, as stored by `requestModal`. */
export function requestModalChannel(privateMetadata: string | undefined): {
  channelId?: string;
  isDm?: boolean;
  responseUrl?: string;
} {
  try {
    const meta: unknown = JSON.parse(privateMetadata ?? '');
    if (meta && typeof meta === 'object' && 'channelId' in meta && typeof meta.channelId === 'string') {
      const url =
        'responseUrl' in meta && typeof meta.responseUrl === 'string' ? meta.responseUrl : undefined;
      // Forms opened before isDm was carried have none: the parser falls back to the id.
      const isDm = 'isDm' in meta ? { isDm: meta.isDm === true } : {};
      return { channelId: meta.channelId, ...isDm, ...(url ? { responseUrl: url } : {}) };
    }
  } catch {
    // Not ours: fall through to "unknown".
  }
  return {};
}

export function denyModal(requestId: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: DENY_MODAL_CALLBACK,
    private_metadata: requestId,
    title: plain('Deny request'),
    submit: plain('Deny'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: REASON_INPUT.block,
        label: plain('Reason (the requester sees it)'),
        element: {
          type: 'plain_text_input',
          action_id: REASON_INPUT.action,
          multiline: true,
          min_length: 1,
          max_length: MAX_REASON_CHARS,
        },
      },
    ],
  };
}

/** App Home: one header and text per section, within the 100-block view budget. */
export function homeView(home: HomeView): types.HomeView {
  const blocks: Block[] = [];
  for (const s of home.sections) {
    if (blocks.length) blocks.push({ type: 'divider' });
    blocks.push({ type: 'header', text: plain(truncate(s.title.trim() || '…', LIMITS.headerText)) });
    const text = s.lines.map(mrkdwn).join('\n').trim();
    for (const chunk of chunkText(text || '_Nothing here._', LIMITS.sectionText))
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  }
  if (blocks.length === 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'Nothing to show yet.' } });
  if (blocks.length > LIMITS.viewBlocks) {
    blocks.length = LIMITS.viewBlocks - 1;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: '… (shortened to fit Slack)' }] });
  }
  return { type: 'home', blocks };
}
