import { Command, CommanderError } from 'commander';
import { defaultStorePath } from '../store/paths';
import { StoreOpenError } from '../store/open';
import { setWriteLockWaitListener, WriteLockTimeoutError } from '../store/write';
import { APP_VERSION } from '../version';

import { STORE_HELP, CliError } from './common';
import { registerDemoCommands } from './commands/demo';
import { registerCasesCommands } from './commands/cases';
import { registerQueuesCommands } from './commands/queues';
import { registerExportCommands } from './commands/export';
import { registerImportCommands } from './commands/import';
import { registerAlertsCommands } from './commands/alerts';
import { registerSettingsCommands } from './commands/settings';
import { registerCaseFiltersCommands } from './commands/case-filters';
import { OutboxCliError, registerOutboxCommands } from './commands/outbox';

/**
 * Headless command line over the same services as the app (rule 2): one file per command group
 * in ./commands. Output that scripts read goes to stdout as JSON; errors go to stderr with a
 * non-zero exit, and change nothing.
 */
export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
  const program = new Command();
  program
    .name('watchfloor')
    .description('Watchfloor command line: the local store without the window')
    .version(APP_VERSION)
    .option('--db <file>', `store file (default ${defaultStorePath()})`)
    .addHelpText('after', STORE_HELP)
    .showHelpAfterError('(run watchfloor --help for the commands)')
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride();

  registerDemoCommands(program, out);
  registerCasesCommands(program, out);
  registerQueuesCommands(program, out, err);
  registerExportCommands(program, out);
  registerImportCommands(program, out);
  registerAlertsCommands(program, out);
  registerSettingsCommands(program, out);
  registerCaseFiltersCommands(program, out);
  for (const [name, sub] of [
    ['import', undefined],
    ['demo', undefined],
    ['settings', 'set'],
    ['case-filters', 'add'],
  ] as const) {
    let command = program.commands.find((c) => c.name() === name);
    if (sub) command = command?.commands.find((c) => c.name() === sub);
    command?.addHelpText(
      'after',
      '\nCreates the store (and its folder) when it is missing; waits while another process writes to it.',
    );
  }
  registerOutboxCommands(
    program,
    out,
    () => program.opts<{ db?: string }>().db ?? defaultStorePath(),
  );
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram(
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
  let toldWaiting = false;
  setWriteLockWaitListener(() => {
    if (toldWaiting) return;
    toldWaiting = true;
    process.stderr.write(
      'watchfloor: waiting for another import… (another process is writing to the store)\n',
    );
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its message (help and version exit 0)
      return e.exitCode;
    }
    if (
      e instanceof CliError ||
      e instanceof OutboxCliError ||
      e instanceof StoreOpenError ||
      e instanceof WriteLockTimeoutError
    ) {
      process.stderr.write(`watchfloor: ${e.message}\n`);
      return e instanceof CliError || e instanceof OutboxCliError ? e.exitCode : 1;
    }
    process.stderr.write(`watchfloor: ${(e as Error).message}\n`);
    return 1;
  } finally {
    setWriteLockWaitListener(null);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.env.WATCHFLOOR_CLI === '1') {
  process.exitCode = await runCli(process.argv.slice(2));
}
