import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { openStore } from '../../store/open';
import { sourceMigrationsFolder } from '../../store/paths';
import { exportOutbox, readOutboxFile } from '../../store/mutations/outbox-file';
import { MutationApplier, emptyApplyReport, type ApplyReport } from '../../store/mutations/apply';
import { indexPendingQueuesNow } from '../../store/derived/queue-membership';
import type { Mutation } from '../../../shared/sync/mutation';

/**
 * `watchfloor outbox export|apply`: the store's mutation log as a file, and the same apply path a
 * sync pull uses (idempotent on mutationId; conflicts resolved per field and recorded in
 * activity; a malformed or edited line reported with its number and nothing of it applied).
 */

/** Raised for a refusal: the message goes to stderr and the exit code is `exitCode`. */
export class OutboxCliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

const APPLY_BATCH = 2000;

export async function applyOutboxFile(
  storeFile: string,
  file: string,
): Promise<ApplyReport & { lines: number }> {
  if (!fs.existsSync(file)) throw new OutboxCliError(`no file ${file}`);
  if (!fs.statSync(file).isFile()) throw new OutboxCliError(`${file} is not a file`);
  // The target may be new: it is created empty, without base data (the outbox brings them).
  const store = openStore(storeFile, { create: true, migrationsFolder: sourceMigrationsFolder() });
  try {
    const applier = new MutationApplier(store.db);
    const report = emptyApplyReport();
    let lines = 0;
    let batch: { line: number; mutation: Mutation }[] = [];
    let sawHeader = false;
    for await (const parsed of readOutboxFile(file)) {
      lines = Math.max(lines, parsed.line);
      if (parsed.kind === 'header') {
        if (parsed.line !== 1) {
          report.rejected.push({
            line: parsed.line,
            mutationId: null,
            message: 'a header line in the middle of the file',
          });
        }
        sawHeader = true;
        continue;
      }
      if (!sawHeader) {
        throw new OutboxCliError(
          `${file} is not a Watchfloor outbox file (line 1 is not its header); nothing was applied`,
        );
      }
      if (parsed.kind === 'error') {
        report.rejected.push({ line: parsed.line, mutationId: null, message: parsed.message });
        continue;
      }
      batch.push({ line: parsed.line, mutation: parsed.mutation });
      if (batch.length >= APPLY_BATCH) {
        applier.applyBatch(batch, report);
        batch = [];
      }
    }
    if (batch.length > 0) applier.applyBatch(batch, report);
    indexPendingQueuesNow(store);
    return { ...report, lines };
  } finally {
    store.close();
  }
}

export function registerOutboxCommands(
  program: Command,
  out: (s: string) => void,
  storeFile: () => string,
): void {
  const outbox = program
    .command('outbox')
    .description('the store’s mutation log (the sync outbox) as a file, and applying one');
  outbox
    .command('export')
    .description('write the outbox as NDJSON (a header line, then one mutation a line)')
    .requiredOption('--out <file>', 'a new file (never written over)')
    .option('--since <seq>', 'only mutations after this sequence number', '0')
    .action(async (opts: { out: string; since: string }) => {
      if (!/^\d+$/.test(opts.since)) {
        throw new OutboxCliError(`--since must be a whole number, got "${opts.since}"`);
      }
      const target = path.resolve(opts.out);
      const dbFile = path.resolve(storeFile());
      for (const own of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) {
        if (target === own) throw new OutboxCliError(`--out ${opts.out} is the store itself`);
      }
      if (fs.existsSync(target)) {
        throw new OutboxCliError(`${opts.out} exists; outbox export never writes over a file`);
      }
      const store = openStore(dbFile, {
        create: false,
        migrationsFolder: sourceMigrationsFolder(),
        mode: 'read',
      });
      try {
        const result = await exportOutbox(store.db, target, Number(opts.since));
        out(JSON.stringify(result) + '\n');
        if (result.incomplete) {
          process.stderr.write(
            'watchfloor: this store holds rows written before its outbox existed (version 0.1); the file does not rebuild those\n',
          );
        }
      } finally {
        store.close();
      }
    });
  outbox
    .command('apply')
    .description(
      'apply an exported outbox to this store (a new file is created empty); applying twice changes nothing',
    )
    .argument('<file>', 'an outbox file written by `outbox export`')
    .action(async (file: string) => {
      const report = await applyOutboxFile(storeFile(), file);
      out(JSON.stringify(report) + '\n');
      if (report.rejected.length > 0) {
        throw new OutboxCliError(
          `${report.rejected.length} line${report.rejected.length === 1 ? '' : 's'} refused; the others were applied`,
          1,
        );
      }
    });
}
