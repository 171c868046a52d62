import { spawn } from 'node:child_process';
import { type Command, InvalidArgumentError } from 'commander';

export interface DemoCliDeps {
  env: NodeJS.ProcessEnv;
  /** Opens a URL in the default browser (`--open`); tests pass their own. */
  openUrl: (url: string) => void;
  /** Stops the playground when it settles (tests); default: SIGINT or SIGTERM. */
  until?: Promise<unknown>;
  /** Where the banner goes; default standard output. */
  out?: (text: string) => void;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port from 0 to 65535');
  return n;
}

/** Best effort: a browser that does not open is not an error, the banner prints the URL anyway. */
export function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
}

/** `rolecall demo [--port N] [--open]`: the local playground, with or without Slack tokens set. */
export function registerDemoCommand(
  program: Command,
  deps: DemoCliDeps = { env: process.env, openUrl: openInBrowser },
): void {
  program
    .command('demo')
    .description('run the local playground: sample directory and a web page on 127.0.0.1, no Slack needed')
    .option('--port <n>', 'page port on 127.0.0.1 (0 picks a free one; default PORT or 3000)', port)
    .option('--open', 'open the page in the default browser')
    .option('--keep', "keep the playground's SQLite store (requests, audit records) when it stops")
    .action(async (opts: { port?: number; open?: boolean; keep?: boolean }) => {
      const { runPlayground } = await import('../playground/index.ts');
      await runPlayground(deps.env, {
        reason: 'demo',
        ...(deps.until ? { until: deps.until } : {}),
        ...(deps.out ? { out: deps.out } : {}),
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.keep ? { keep: true } : {}),
        onReady: (p) => {
          if (opts.open) deps.openUrl(p.url);
        },
      });
    });
}
