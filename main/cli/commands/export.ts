import path from 'node:path';
import { type Command } from 'commander';
import { planCsvExport, writeCasesCsv } from '../../features/cases/export-csv';
import { DEFAULT_CASE_COLUMNS, MAX_CSV_EXPORT_ROWS } from '../../../shared/ipc/contract';

import {
  withWorkspace,
  serviceCall,
  parseSortOption,
  parseColumnsOption,
  queueByName,
} from '../common';

export function registerExportCommands(program: Command, out: (s: string) => void): void {
  const exportCommand = program.command('export').description('export data to files');
  exportCommand
    .command('cases')
    .description(
      `the cases of a queue or a search as CSV (TBL-7, at most ${MAX_CSV_EXPORT_ROWS.toLocaleString('en')} rows)`,
    )
    .requiredOption('--csv <file>', 'CSV file to write')
    .option('--queue <name>', 'only the cases of this queue (name or id)')
    .option('--query <lucene>', 'Lucene search')
    .option('--sort <field:dir>', 'sort, e.g. score:desc (default updatedAt:desc)')
    .option(
      '--columns <list>',
      `comma-separated columns (default ${DEFAULT_CASE_COLUMNS.join(',')})`,
    )
    .option('--bom', 'start with a UTF-8 byte order mark (for Excel)')
    .option(
      '--force',
      'replace the file if it exists (never a Watchfloor store, its -wal/-shm, or any SQLite database)',
    )
    .action(
      (opts: {
        csv: string;
        queue?: string;
        query?: string;
        sort?: string;
        columns?: string;
        bom?: boolean;
        force?: boolean;
      }) => {
        const columns = opts.columns ? parseColumnsOption(opts.columns) : [...DEFAULT_CASE_COLUMNS];
        const order = opts.sort
          ? parseSortOption(opts.sort)
          : { sort: 'updatedAt' as const, direction: 'desc' as const };
        const file = path.resolve(opts.csv);
        withWorkspace(program, 'read', (ws) => {
          const queueId = opts.queue ? queueByName(ws, opts.queue).id : undefined;
          const { plan, matching } = serviceCall(
            () =>
              planCsvExport(
                ws.store,
                {
                  view: { queueId, query: opts.query, ...order },
                  columns,
                  bom: opts.bom ?? false,
                  overwrite: opts.force ?? false,
                },
                file,
              ),
            opts.query,
          );
          const { rows, bytes } = serviceCall(() => writeCasesCsv(ws.store.db, plan));
          out(JSON.stringify({ file, rows, bytes, matching, truncated: matching > rows }) + '\n');
        });
      },
    );
}
