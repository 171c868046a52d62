import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './cli/audit.ts';
import { registerDoctorCommand } from './cli/doctor.ts';
import { registerPolicyCommands } from './cli/policy.ts';
import { RolecallError } from './core/errors.ts';

/** The `rolecall` command. Each subcommand lives in src/cli/; this file only wires them. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('rolecall')
    .description('Chat-driven role changes for Slack, enforced in code, applied through SCIM 2.0')
    .exitOverride()
    .showHelpAfterError();
  let code = 0;
  program
    .command('start')
    .description('start the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)')
    .action(async () => {
      const { start } = await import('./main.ts');
      code = await start(process.env);
    });
  registerDoctorCommand(program);
  registerAuditCommands(program);
  registerPolicyCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof RolecallError) {
      // A config message already names its key; any other fault leads with its stable code.
      console.error(`rolecall: ${err.code === 'CONFIG.INVALID' ? '' : `${err.code}: `}${err.message}`);
      return 2;
    }
    throw err;
  }
}
