import { type Command } from 'commander';
import { listCases } from '../../features/cases/cases';
import { alertRefsOfCases } from '../../features/alerts/alerts';
import { CASE_SORT_FIELDS } from '../../../shared/domain/types';

import {
  CliError,
  positiveInt,
  withWorkspace,
  iso,
  serviceCall,
  parseSortOption,
  queueByName,
} from '../common';

export function registerCasesCommands(program: Command, out: (s: string) => void): void {
  program
    .command('cases')
    .description('list cases of a queue or a search, most recently updated first by default')
    .option('--json', 'print a JSON array (the only output format for now)')
    .option('--limit <n>', 'at most this many cases', positiveInt('--limit', 1_000_000), 100)
    .option('--with-alerts', 'add alertRefs: ["source:sourceRef", …] to each case')
    .option('--queue <name>', 'only the cases of this queue (name or id)')
    .option('--query <lucene>', "Lucene search, e.g. 'severity:(High OR Critical) AND phishing'")
    .option('--sort <field:dir>', `sort, e.g. score:desc (${CASE_SORT_FIELDS.join('|')})`)
    .action(
      (opts: {
        json?: boolean;
        limit: number;
        withAlerts?: boolean;
        queue?: string;
        query?: string;
        sort?: string;
      }) => {
        if (!opts.json) throw new CliError('cases: add --json (the only output format so far)');
        const order = opts.sort
          ? parseSortOption(opts.sort)
          : { sort: 'updatedAt' as const, direction: 'desc' as const };
        // A queue whose index is pending is evaluated by the view itself (reads never write).
        withWorkspace(program, 'read', (ws) => {
          const queueId = opts.queue ? queueByName(ws, opts.queue).id : undefined;
          const { rows } = serviceCall(
            () =>
              listCases(ws.store, {
                offset: 0,
                limit: opts.limit,
                ...order,
                queueId,
                query: opts.query,
                withTotal: false,
              }),
            opts.query,
          );
          const refs = opts.withAlerts
            ? alertRefsOfCases(
                ws.store,
                rows.map((c) => c.id),
              )
            : null;
          const result = rows.map((c) => ({
            id: c.id,
            number: c.number,
            name: c.name,
            score: c.score,
            severity: c.severity,
            status: c.status,
            assignee: c.assigneeName,
            alertCount: c.alertCount,
            createdAt: iso(c.createdAt),
            updatedAt: iso(c.updatedAt),
            ...(refs ? { alertRefs: refs.get(c.id) ?? [] } : {}),
          }));
          out(JSON.stringify(result, null, 2) + '\n');
        });
      },
    );
}
