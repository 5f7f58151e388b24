import { type Command } from 'commander';
import {
  addCaseFilter,
  listCaseFilters,
  removeCaseFilter,
} from '../../features/correlation/case-filters';
import { ServiceError } from '../../service-error';

import { CliError, withWorkspace } from '../common';

export function registerCaseFiltersCommands(program: Command, out: (s: string) => void): void {
  const filters = program
    .command('case-filters')
    .description('case filters (COR-5): matching alerts create no case');
  filters
    .command('add')
    .requiredOption('--name <name>', 'filter name')
    .requiredOption('--condition <json>', 'condition tree as JSON (shared/domain/conditions.ts)')
    .action((opts: { name: string; condition: string }) => {
      let condition: unknown;
      try {
        condition = JSON.parse(opts.condition);
      } catch (e) {
        throw new CliError(`--condition is not valid JSON: ${(e as Error).message}`, 2);
      }
      const filter = withWorkspace(program, true, (ws) => {
        try {
          return addCaseFilter(ws.store, ws.user.login, ws.user.tenantId, opts.name, condition);
        } catch (e) {
          if (e instanceof ServiceError) throw new CliError(e.message, 2);
          throw e;
        }
      });
      out(JSON.stringify(filter) + '\n');
    });
  filters
    .command('list')
    .action(() =>
      withWorkspace(program, 'read', (ws) =>
        out(JSON.stringify(listCaseFilters(ws.store), null, 2) + '\n'),
      ),
    );
  filters
    .command('remove')
    .argument('<id>')
    .action((id: string) =>
      withWorkspace(program, false, (ws) => {
        try {
          removeCaseFilter(ws.store, ws.user.login, ws.user.tenantId, id);
        } catch (e) {
          if (e instanceof ServiceError) throw new CliError(e.message);
          throw e;
        }
        out(JSON.stringify({ removed: id }) + '\n');
      }),
    );
}
