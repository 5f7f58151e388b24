import { type Command, CommanderError } from 'commander';
import { sourceImportWorker } from '../../store/paths';
import { importAlertFilesInParallel, parseWorkerBeside } from '../../features/alerts/import-files';
import { ALERT_FORMATS } from '../../../shared/domain/ingest/build-alert';
import type { ParseFormatOption } from '../../../shared/domain/ingest/parse';

import { CliError, withWorkspaceAsync } from '../common';

export function registerImportCommands(program: Command, out: (s: string) => void): void {
  program
    .command('import')
    .description(
      'import alert files (Watchfloor v1, Elastic ECS, Suricata EVE, Wazuh, TheHive 5) and correlate them into cases',
    )
    .argument('<paths...>', 'JSON array, JSON object or NDJSON files (directories are not read)')
    .option('--format <format>', `auto|${ALERT_FORMATS.join('|')}`, 'auto')
    .action(async (paths: string[], opts: { format: string }) => {
      if (opts.format !== 'auto' && !(ALERT_FORMATS as readonly string[]).includes(opts.format)) {
        throw new CliError(
          `--format must be auto or one of ${ALERT_FORMATS.join(', ')}, got "${opts.format}"`,
          2,
        );
      }
      // Reading and parsing run in a worker thread beside the writing (two cores, flat memory).
      const summary = await withWorkspaceAsync(program, true, (ws) =>
        importAlertFilesInParallel(ws.store, paths, {
          format: opts.format as ParseFormatOption,
          actor: ws.user.login,
          parseWorker: parseWorkerBeside(sourceImportWorker()),
        }),
      );
      const {
        read,
        imported,
        duplicates,
        suppressed,
        failed,
        skipped,
        casesCreated,
        casesUpdated,
        errors,
      } = summary;
      out(
        JSON.stringify({
          read,
          imported,
          duplicates,
          suppressed,
          failed,
          skipped, // records of a known format that are not alerts (Suricata flow, dns…)
          casesCreated,
          casesUpdated,
          errors,
        }) + '\n',
      );
      if (failed > 0) throw new CommanderError(1, 'watchfloor.import.partial', '');
    });
}
