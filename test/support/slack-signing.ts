import { createHmac } from 'node:crypto';
import {
  type ActionOpts,
  blockActionPayload,
  type CommandOpts,
  commandPayload,
  type EnvelopeOpts,
  eventEnvelope,
  type Json,
  type ViewSubmissionOpts,
  viewSubmissionPayload,
} from './slack-payloads.ts';

/**
 * Requests signed the way Slack signs them (v0: HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the
 * signing secret), posted to a running app, plus ways to get them wrong on purpose.
 */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignOpts {
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Sign with the wrong secret. */
  forge?: boolean;
  /** A timestamp 10 minutes old (Slack's window is 5). */
  stale?: boolean;
  /** Omit the signature headers altogether. */
  unsigned?: boolean;
  headers?: Record<string, string>;
}

export interface SlackHttpResponse {
  status: number;
  body: string;
  headers: Headers;
}

export async function postSigned(
  url: string,
  secret: string,
  body: string,
  contentType: 'application/json' | 'application/x-www-form-urlencoded',
  o: SignOpts = {},
): Promise<SlackHttpResponse> {
  const now = Math.floor(Date.now() / 1000);
  const ts = o.timestamp ?? (o.stale ? now - 600 : now);
  const headers: Record<string, string> = { 'content-type': contentType, ...o.headers };
  if (!o.unsigned) {
    headers['x-slack-request-timestamp'] = String(ts);
    headers['x-slack-signature'] = slackSignature(o.forge ? `${secret}-forged` : secret, ts, body);
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export interface EventSendOpts extends SignOpts, EnvelopeOpts {
  /** Slack's retry counter (X-Slack-Retry-Num), for redelivered events. */
  retryNum?: number;
  retryReason?: string;
}

/** Posts an Events API callback wrapping `event`; returns the response and the event_id used. */
export async function sendEvent(
  url: string,
  secret: string,
  event: Json,
  o: EventSendOpts = {},
): Promise<SlackHttpResponse & { eventId: string }> {
  const body = eventEnvelope(event, o);
  const headers = { ...o.headers };
  if (o.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(o.retryNum);
    headers['x-slack-retry-reason'] = o.retryReason ?? 'http_timeout';
  }
  const res = await postSigned(url, secret, JSON.stringify(body), 'application/json', { ...o, headers });
  return { ...res, eventId: String(body.event_id) };
}

/** Posts an interactivity payload (`payload=<json>`, form-encoded) as Slack does for clicks and modals. */
export function sendInteraction(url: string, secret: string, payload: Json, o: SignOpts = {}) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSigned(url, secret, body, 'application/x-www-form-urlencoded', o);
}

export function sendAction(url: string, secret: string, action: ActionOpts, o: SignOpts = {}) {
  return sendInteraction(url, secret, blockActionPayload(action), o);
}

export function sendViewSubmission(url: string, secret: string, view: ViewSubmissionOpts, o: SignOpts = {}) {
  return sendInteraction(url, secret, viewSubmissionPayload(view), o);
}

export function sendCommand(url: string, secret: string, command: CommandOpts, o: SignOpts = {}) {
  const body = new URLSearchParams(commandPayload(command)).toString();
  return postSigned(url, secret, body, 'application/x-www-form-urlencoded', o);
}

/** Slack's url_verification handshake when the Request URL is saved. */
export function sendUrlVerification(url: string, secret: string, challenge: string, o: SignOpts = {}) {
  const body = JSON.stringify({ token: 'legacy-verification-token', challenge, type: 'url_verification' });
  return postSigned(url, secret, body, 'application/json', o);
}
