import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Messages API (POST /v1/messages) on 127.0.0.1, for the real SDK to talk
 * to through `baseURL`. Replies are scripted: tool calls, malformed input, unknown tools, refusals,
 * rate limits, overloads, server errors, broken JSON and requests that never get an answer. Every
 * request is recorded so tests can check what Rolecall sent.
 *
 * A script is either a list (request n gets entry n; the last entry repeats, so `[{ type: 'error',
 * status: 529 }]` is "always overloaded") or a function of the request.
 */
export type FakeReply =
  | { type: 'tool_use'; calls: { name: string; input: unknown }[]; stopReason?: string; text?: string }
  | { type: 'text'; text: string }
  | { type: 'refusal'; category?: string | null; explanation?: string | null }
  | { type: 'error'; status: number; errorType?: string; message?: string; headers?: Record<string, string> }
  /** Any body, e.g. broken JSON. */
  | { type: 'raw'; status?: number; body: string; headers?: Record<string, string> }
  /** A whole Message object as the API returned it (recordings). */
  | { type: 'message'; message: Record<string, unknown> }
  /** Never answers; the connection is closed by the client or by close(). */
  | { type: 'hang' };

export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  body: any;
}

export type FakeScript = FakeReply[] | ((req: FakeRequest, index: number) => FakeReply | Promise<FakeReply>);

export interface FakeAnthropic {
  /** Pass as the SDK's baseURL / ANTHROPIC_BASE_URL. */
  baseUrl: string;
  requests: FakeRequest[];
  setScript(script: FakeScript): void;
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function toolUse(...calls: { name: string; input: unknown }[]): FakeReply {
  return { type: 'tool_use', calls };
}

export async function startFakeAnthropic(
  o: {
    script?: FakeScript;
    /** Models GET /v1/models/{id} knows (others are 404); by default every id exists. */
    models?: string[];
    /** When set, requests with another key (x-api-key or Bearer) get 401 (by default any key is accepted). */
    apiKey?: string;
  } = {},
): Promise<FakeAnthropic> {
  let script: FakeScript = o.script ?? [
    { type: 'tool_use', calls: [{ name: 'none', input: { reason: 'unclear' } }] },
  ];
  let served = 0;
  const requests: FakeRequest[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        send(res, 500, { type: 'error', error: { type: 'api_error', message: String(err) } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    const recorded: FakeRequest = { method: req.method ?? '', path, headers: req.headers, body };
    requests.push(recorded);
    const key = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '');
    if (o.apiKey && key !== o.apiKey) {
      send(res, 401, {
        type: 'error',
        error: { type: 'authentication_error', message: 'invalid x-api-key' },
      });
      return;
    }
    const model = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && model) {
      const id = decodeURIComponent(model[1]!);
      if (o.models && !o.models.includes(id))
        send(res, 404, { type: 'error', error: { type: 'not_found_error', message: `model: ${id}` } });
      else send(res, 200, { type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      send(res, 404, {
        type: 'error',
        error: { type: 'not_found_error', message: `no route ${req.method} ${path}` },
      });
      return;
    }
    const index = served++;
    const reply = Array.isArray(script)
      ? script[Math.min(index, script.length - 1)]
      : await script(recorded, index);
    if (!reply) {
      send(res, 500, { type: 'error', error: { type: 'api_error', message: 'fake: empty script' } });
      return;
    }
    respond(res, reply, index, (body as { model?: string } | undefined)?.model ?? 'fake-model');
  }

  function respond(res: ServerResponse, reply: FakeReply, index: number, model: string): void {
    const base = { id: `msg_fake_${index}`, type: 'message', role: 'assistant', model, stop_sequence: null };
    const usage = { input_tokens: 100, output_tokens: 20 };
    switch (reply.type) {
      case 'hang':
        return;
      case 'tool_use':
        send(res, 200, {
          ...base,
          content: [
            ...(reply.text ? [{ type: 'text', text: reply.text }] : []),
            ...reply.calls.map((c, k) => ({
              type: 'tool_use',
              id: `toolu_fake_${index}_${k}`,
              name: c.name,
              input: c.input,
            })),
          ],
          stop_reason: reply.stopReason ?? 'tool_use',
          stop_details: null,
          usage,
        });
        return;
      case 'text':
        send(res, 200, {
          ...base,
          content: [{ type: 'text', text: reply.text }],
          stop_reason: 'end_turn',
          stop_details: null,
          usage,
        });
        return;
      case 'refusal':
        send(res, 200, {
          ...base,
          content: [],
          stop_reason: 'refusal',
          stop_details: {
            type: 'refusal',
            category: reply.category ?? null,
            explanation: reply.explanation ?? null,
          },
          usage,
        });
        return;
      case 'error':
        // Fast retries in tests unless the script says otherwise.
        send(
          res,
          reply.status,
          {
            type: 'error',
            error: {
              type: reply.errorType ?? ERROR_TYPES[reply.status] ?? 'api_error',
              message: reply.message ?? 'fake error',
            },
          },
          { 'retry-after-ms': '5', ...reply.headers },
        );
        return;
      case 'raw':
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body);
        return;
      case 'message':
        send(res, 200, reply.message);
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    setScript(s) {
      script = s;
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let responses = 0;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_fake_${++responses}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}
