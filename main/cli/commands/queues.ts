import { type Command } from 'commander';
import { type Workspace } from '../../app/workspace';
import {
  checkQueueDraft,
  findQueueByIdOrName,
  getQueueDto,
  listQueues,
  parseQueueDraft,
  reindexQueueNow,
  removeQueue,
  saveQueue,
  type StoredQueue,
} from '../../features/queues/queues';
import { compileCaseView, countCaseView } from '../../features/cases/case-view';
import { type QueueDraft } from '../../../shared/ipc/contract';

import {
  CliError,
  withWorkspace,
  serviceCall,
  parseRangeOption,
  parseConditionOption,
  tenantIdOption,
  type QueueOptions,
} from '../common';

export function registerQueuesCommands(
  program: Command,
  out: (s: string) => void,
  err: (s: string) => void,
): void {
  const queues = program
    .command('queues')
    .description('case queues (QUE): saved filters of cases with their indexed counts');
  queues
    .command('list')
    .option('--json', 'print a JSON array (the only output format)')
    .action((opts: { json?: boolean }) => {
      if (!opts.json) throw new CliError('queues list: add --json (the only output format)');
      withWorkspace(program, 'read', (ws) => {
        // A pending index is not built here (reads never write): such a queue is counted directly.
        const list = listQueues(ws.store, ws.user.id).map((q) => ({
          id: q.id,
          name: q.name,
          count: q.count ?? countCaseView(ws.store, compileCaseView(ws.store, { queueId: q.id })),
          isDefault: q.isDefault,
          pinned: q.pinned,
        }));
        out(JSON.stringify(list, null, 2) + '\n');
      });
    });
  const saveQueueFromOptions = (ws: Workspace, opts: QueueOptions, existing?: StoredQueue) => {
    const draft: QueueDraft = {
      ...(existing ? { id: existing.id } : {}),
      name: opts.name ?? existing?.name ?? '',
      description: opts.description ?? existing?.description ?? '',
      tenantId:
        opts.tenant !== undefined ? tenantIdOption(ws, opts.tenant) : (existing?.tenantId ?? null),
      condition:
        opts.condition !== undefined ? parseConditionOption(opts.condition) : existing?.condition,
      range:
        opts.range !== undefined
          ? parseRangeOption(opts.range)
          : (existing?.range ?? { kind: 'relative', days: 30 }),
    };
    const saved = serviceCall(() => {
      const { warnings } = checkQueueDraft(ws.store, parseQueueDraft(draft));
      const result = saveQueue(ws.store, ws.user, draft);
      for (const warning of warnings) err(`watchfloor: warning: ${warning}\n`);
      return result;
    });
    // The CLI re-indexes before it exits, so the printed count is final (QUE-5).
    if (saved.needsReindex) reindexQueueNow(ws.store, saved.queue.id);
    out(JSON.stringify(getQueueDto(ws.store, ws.user.id, saved.queue.id), null, 2) + '\n');
  };
  const queueOptions = (command: Command, nameRequired: boolean) => {
    if (nameRequired) command.requiredOption('--name <name>', 'queue name (unique)');
    else command.option('--name <name>', 'queue name (unique)');
    if (nameRequired) {
      command.requiredOption(
        '--condition <json>',
        'condition tree as JSON (shared/domain/conditions.ts)',
      );
    } else {
      command.option('--condition <json>', 'condition tree as JSON (shared/domain/conditions.ts)');
    }
    return command
      .option('--description <text>', 'what the queue is for')
      .option(
        '--range <range>',
        'cases created in the last 30d | 4w | 1y, or FROM..TO (default 30d)',
      )
      .option('--tenant <tenant>', 'only this tenant (name or id; default all tenants)');
  };
  queueOptions(queues.command('add').description('create a queue and index it'), true).action(
    (opts: QueueOptions) => withWorkspace(program, false, (ws) => saveQueueFromOptions(ws, opts)),
  );
  queueOptions(
    queues
      .command('update')
      .description('change a queue and re-index it')
      .argument('<id>', 'queue id or name'),
    false,
  ).action((id: string, opts: QueueOptions) =>
    withWorkspace(program, false, (ws) => {
      const existing = findQueueByIdOrName(ws.store.db, id);
      if (!existing) throw new CliError(`no queue "${id}"`);
      saveQueueFromOptions(ws, opts, existing);
    }),
  );
  queues
    .command('remove')
    .argument('<id>', 'queue id or name')
    .action((id: string) =>
      withWorkspace(program, false, (ws) => {
        const existing = findQueueByIdOrName(ws.store.db, id);
        if (!existing) throw new CliError(`no queue "${id}"`);
        serviceCall(() => removeQueue(ws.store, ws.user, existing.id));
        out(JSON.stringify({ removed: existing.id }) + '\n');
      }),
    );
}
