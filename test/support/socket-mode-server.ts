import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type CommandOpts,
  commandPayload,
  type EnvelopeOpts,
  eventEnvelope,
  type Json,
  uniqueId,
} from './slack-payloads.ts';

/**
 * A local Socket Mode endpoint: the app connects to `url` (returned by the emulator's
 * apps.connections.open), gets `hello`, and receives envelopes; its acks are recorded.
 */
export interface SocketAck {
  envelopeId: string;
  payload: unknown;
}
export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

export interface SocketModeServer {
  url: string;
  /** Connections opened so far (a reconnect makes it grow). */
  readonly connections: number;
  /** When each connection was opened (ms since epoch), to measure the reconnect gap. */
  readonly connectedAt: number[];
  acks: SocketAck[];
  /** Sockets open right now. */
  readonly open: number;
  /** Resolves once `count` connections (default 1) have been made and sent hello. */
  waitForConnection(count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once no socket is open. */
  waitForNoConnections(timeoutMs?: number): Promise<void>;
  /** Sends an envelope to the newest connection; returns its envelope_id. */
  push(type: EnvelopeType, payload: Json, opts?: { retryAttempt?: number }): string;
  pushEvent(
    event: Json,
    opts?: EnvelopeOpts & { retryAttempt?: number },
  ): { envelopeId: string; eventId: string };
  pushInteractive(payload: Json): string;
  pushSlashCommand(command: CommandOpts): string;
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketAck>;
  /** With `holdHello`, sends the held `hello` to every open connection (the client is then connected). */
  sendHello(): void;
  /**
   * Asks clients to reconnect, as Slack does when it recycles a connection (a `disconnect` frame,
   * reason refresh_requested). Slack allows up to 10 connections per app, so a client could open the
   * next one before closing this; @slack/socket-mode 3.1 closes first and reconnects after its
   * clientPingTimeout (5 s), during which nothing can be delivered (README: Socket Mode gap).
   */
  sendDisconnect(reason?: string): void;
  close(): Promise<void>;
}

export async function startSocketModeServer(
  o: {
    /** Accept connections but send no `hello` until sendHello(): the app stays "connecting". */
    holdHello?: boolean;
  } = {},
): Promise<SocketModeServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  const acks: SocketAck[] = [];
  const sockets: WebSocket[] = [];
  let connections = 0;
  const connectedAt: number[] = [];
  const connectWaiters: { count: number; resolve: () => void }[] = [];
  const closeWaiters: (() => void)[] = [];
  const ackWaiters = new Map<string, (a: SocketAck) => void>();

  wss.on('connection', (ws) => {
    connections += 1;
    connectedAt.push(Date.now());
    sockets.push(ws);
    ws.on('message', (data) => {
      let msg: { envelope_id?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (!msg.envelope_id) return;
      const ack = { envelopeId: msg.envelope_id, payload: msg.payload };
      acks.push(ack);
      ackWaiters.get(ack.envelopeId)?.(ack);
      ackWaiters.delete(ack.envelopeId);
    });
    ws.on('close', () => {
      sockets.splice(sockets.indexOf(ws), 1);
      if (sockets.length === 0) for (const w of closeWaiters.splice(0)) w();
    });
    if (!o.holdHello) hello(ws);
    for (const w of [...connectWaiters])
      if (connections >= w.count) {
        connectWaiters.splice(connectWaiters.indexOf(w), 1);
        w.resolve();
      }
  });

  function hello(ws: WebSocket): void {
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.length,
        debug_info: { host: 'rolecall-test', approximate_connection_time: 3600 },
        connection_info: { app_id: 'AROLECALL' },
      }),
    );
  }

  const withTimeout = <T>(what: string, timeoutMs: number, start: (resolve: (v: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`socket mode: no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      start((v) => {
        clearTimeout(timer);
        resolve(v);
      });
    });

  const server: SocketModeServer = {
    url: `ws://127.0.0.1:${port}/link/?ticket=rolecall-test`,
    get connections() {
      return connections;
    },
    connectedAt,
    acks,
    get open() {
      return sockets.length;
    },
    waitForConnection(count = 1, timeoutMs = 10_000) {
      if (connections >= count) return Promise.resolve();
      return withTimeout<void>(`connection #${count}`, timeoutMs, (resolve) =>
        connectWaiters.push({ count, resolve: () => resolve() }),
      );
    },
    waitForNoConnections(timeoutMs = 5_000) {
      if (sockets.length === 0) return Promise.resolve();
      return withTimeout<void>('disconnect', timeoutMs, (resolve) => closeWaiters.push(() => resolve()));
    },
    push(type, payload, opts = {}) {
      const ws = sockets.at(-1);
      if (!ws) throw new Error('socket mode: no client connected');
      const envelopeId = uniqueId('env-');
      const envelope: Json = {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
      };
      if (type === 'events_api') {
        envelope.retry_attempt = opts.retryAttempt ?? 0;
        envelope.retry_reason = opts.retryAttempt ? 'timeout' : '';
      }
      ws.send(JSON.stringify(envelope));
      return envelopeId;
    },
    pushEvent(event, opts = {}) {
      const body = eventEnvelope(event, opts);
      const envelopeId = server.push('events_api', body, opts);
      return { envelopeId, eventId: String(body.event_id) };
    },
    pushInteractive: (payload) => server.push('interactive', payload),
    pushSlashCommand: (command) => server.push('slash_commands', commandPayload(command)),
    waitForAck(envelopeId, timeoutMs = 5_000) {
      const seen = acks.find((a) => a.envelopeId === envelopeId);
      if (seen) return Promise.resolve(seen);
      return withTimeout<SocketAck>(`ack for ${envelopeId}`, timeoutMs, (resolve) =>
        ackWaiters.set(envelopeId, resolve),
      );
    },
    sendHello() {
      for (const ws of sockets) hello(ws);
    },
    sendDisconnect(reason = 'refresh_requested') {
      for (const ws of sockets) ws.send(JSON.stringify({ type: 'disconnect', reason }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close(() => resolve());
      }),
  };
  return server;
}
