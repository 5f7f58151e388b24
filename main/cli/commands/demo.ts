import { type Command } from 'commander';
import { defaultDemoEnd, loadDemoAndIndexQueues } from '../../features/demo/demo';
import { generateDemoCases } from '../../../shared/domain/demo';
import { CliError, openForCommand, positiveInt, seedArg } from '../common';

export function registerDemoCommands(program: Command, out: (s: string) => void): void {
  program
    .command('demo')
    .description(
      'load deterministic demo data: alerts from SIEM, EDR, IDS and email sources, grouped into cases',
    )
    .requiredOption(
      '--alerts <n>',
      'number of alerts to generate',
      positiveInt('--alerts', 10_000_000),
    )
    .option('--seed <s>', 'random seed (same seed, same data)', seedArg, 1)
    .action(async (opts: { alerts: number; seed: number }) => {
      const ws = openForCommand(program, 'create');
      try {
        const started = performance.now();
        // A seed's first alert has the same (source, sourceRef) whatever the day: an exact lookup.
        const endAt = defaultDemoEnd();
        const first = generateDemoCases({ alerts: 1, seed: opts.seed, endAt }).next().value
          ?.alerts[0];
        const ref =
          first &&
          ws.store.db
            .prepare('SELECT 1 FROM alerts WHERE source = ? AND source_ref = ?')
            .get(first.source, first.sourceRef);
        if (ref) {
          throw new CliError(
            `demo data with seed ${opts.seed} is already in ${ws.store.file}; use another --seed`,
          );
        }
        // In-process (a one-shot command), the same load as the app's demo worker: the batches,
        // then the queue indexes.
        const { alerts, cases } = await loadDemoAndIndexQueues(ws.store, {
          alerts: opts.alerts,
          seed: opts.seed,
          endAt,
        });
        const result = { alerts, cases };
        const seconds = (performance.now() - started) / 1000;
        out(JSON.stringify({ ...result, seconds: Math.round(seconds * 100) / 100 }) + '\n');
      } finally {
        ws.close();
      }
    });
}
