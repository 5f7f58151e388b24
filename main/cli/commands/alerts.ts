import { type Command } from 'commander';
import { listAlerts } from '../../features/alerts/alerts';
import { ALERT_STATUSES, type AlertStatus } from '../../../shared/domain/types';

import { CliError, positiveInt, withWorkspace, iso } from '../common';

export function registerAlertsCommands(program: Command, out: (s: string) => void): void {
  program
    .command('alerts')
    .description('list alerts, newest first')
    .option('--json', 'print a JSON array')
    .option('--status <status>', ALERT_STATUSES.join('|'))
    .option('--limit <n>', 'at most this many alerts', positiveInt('--limit', 10_000_000), 1000)
    .option('--with-raw', 'add raw: the original record of each alert, as imported')
    .action((opts: { json?: boolean; status?: string; limit: number; withRaw?: boolean }) => {
      if (!opts.json) throw new CliError('alerts: add --json (the only output format so far)');
      if (opts.status && !(ALERT_STATUSES as readonly string[]).includes(opts.status)) {
        throw new CliError(
          `--status must be one of ${ALERT_STATUSES.join(', ')}, got "${opts.status}"`,
          2,
        );
      }
      withWorkspace(program, 'read', (ws) => {
        const rows = listAlerts(ws.store, {
          status: opts.status as AlertStatus | undefined,
          limit: opts.limit,
          offset: 0,
          withRaw: opts.withRaw === true,
        });
        out(
          JSON.stringify(
            rows.map((a) => ({ ...a, timestamp: iso(a.timestamp) })),
            null,
            2,
          ) + '\n',
        );
      });
    });
}
