import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './cli/audit.ts';
import { registerDemoCommand } from './cli/demo.ts';
import { registerDoctorCommand } from './cli/doctor.ts';
import { registerInstallsCommands } from './cli/installs.ts';
import { registerPolicyCommands } from './cli/policy.ts';
import { registerReconcileCommand } from './cli/reconcile.ts';
import { RolecallError } from './core/errors.ts';

/** Usage errors that mean "you typed something the command does not know": exit 2. */
const UNKNOWN_INPUT = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.excessArguments',
]);

/**
 * The `rolecall` command tree. Each subcommand lives in src/cli/; this file only wires them.
 * `onStart` receives `start`'s exit code (main() returns it).
 */
export function buildProgram(onStart: (code: number) => void = () => {}): Command {
  const program = new Command('rolecall')
    .description('Chat-driven role changes for Slack, enforced in code, applied through SCIM 2.0')
    .exitOverride()
    // One line, naming the flag or command at fault (and commander's "Did you mean…?" if any).
    .configureOutput({
      outputError: (text, write) =>
        write(
          `rolecall: ${text
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .trim()}\n`,
        ),
    });
  program
    .command('start')
    .description(
      'start the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT); with no Slack tokens and no rolecall.yml (not in production), the playground',
    )
    .action(async () => {
      const { start } = await import('./cli/start.ts');
      onStart(await start(process.env));
    });
  registerDoctorCommand(program);
  registerAuditCommands(program);
  registerPolicyCommands(program);
  registerReconcileCommand(program);
  registerDemoCommand(program);
  registerInstallsCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return UNKNOWN_INPUT.has(err.code) ? 2 : err.exitCode;
    if (err instanceof RolecallError) {
      // A config message already names its key; any other fault leads with its stable code.
      console.error(`rolecall: ${err.code === 'CONFIG.INVALID' ? '' : `${err.code}: `}${err.message}`);
      return 2;
    }
    throw err;
  }
}
