import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The parent side of test/support/bot-child.ts: the real bot in a child process, over IPC. */
export interface BotProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  eventsUrl: string;
  ask<T = unknown>(
    cmd: 'stats' | 'audit' | 'verify' | 'requests' | 'tick' | 'stop' | 'serverAcks',
  ): Promise<T>;
  /** SIGKILL, no goodbye; resolves when the process is gone. */
  kill(): Promise<void>;
  /** Graceful stop through the bot's own stop(). */
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./bot-child.ts', import.meta.url));

export async function spawnBot(
  env: Record<string, string>,
  o: { startTimeoutMs?: number } = {},
): Promise<BotProcess> {
  const child = fork(CHILD, [], {
    env: { ...env, PATH: process.env.PATH ?? '' },
    execPath: process.execPath,
    // Node 22.13–22.17 strip types only behind a flag (as bin/rolecall.js does for `npm start`).
    execArgv: (process.features as { typescript?: unknown }).typescript
      ? []
      : ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bot did not start: ${stderr}`)),
      o.startTimeoutMs ?? 30_000,
    );
    child.on(
      'message',
      (m: { type?: string; port?: number; id?: number; value?: unknown; error?: string }) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve(m.port!);
          return;
        }
        const p = m.id === undefined ? undefined : pending.get(m.id);
        if (!p) return;
        pending.delete(m.id!);
        if (m.error) p.reject(new Error(m.error));
        else p.resolve(m.value);
      },
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited (${code}) before it was ready: ${stderr}`));
      for (const p of pending.values()) p.reject(new Error('bot exited'));
    });
  });
  const bot: BotProcess = {
    child,
    pid: child.pid!,
    port,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    ask<T>(cmd: Parameters<BotProcess['ask']>[0]) {
      const id = ++next;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, cmd });
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await bot.ask('stop').catch(() => undefined);
      await exited;
    },
  };
  return bot;
}
