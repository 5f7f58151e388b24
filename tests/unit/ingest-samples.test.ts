import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path, { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizedAlertSchema } from '../../shared/domain/alert-format';
import type { AlertFormat } from '../../shared/domain/ingest/build-alert';
import { depthExceededAt, parseAlertFile } from '../../shared/domain/ingest/parse';
import { InMemoryCorrelationIndex, correlateAlerts } from '../../shared/domain/correlation';
import { isCorrelatingEntity } from '../../shared/domain/entities';

/**
 * Parses the real public sample files kept outside the repository (see the README there) and
 * checks that the importers make sensible alerts of them. The samples are not copied into the
 * repository; where the folder is absent the tests say so and are skipped.
 */
// The handbook's folder sits beside the repo: ../shared/samples (CI clones it there too).
const SAMPLES_ROOT =
  process.env.WATCHFLOOR_SAMPLES_DIR ??
  path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'samples');

const FORMAT_FOLDERS: ReadonlyArray<readonly [folder: string, format: AlertFormat]> = [
  ['ecs', 'ecs'],
  ['suricata', 'suricata'],
  ['wazuh', 'wazuh'],
  ['thehive', 'thehive'],
];

/** Plausible event times: 2000-01-01 to 2100-01-01. */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

for (const [folder, format] of FORMAT_FOLDERS) {
  const directory = join(SAMPLES_ROOT, folder);
  const exists = existsSync(directory);
  const files = exists ? readdirSync(directory).filter((name) => !name.startsWith('.')) : [];
  const reason = exists ? '' : `sample folder ${directory} is absent`;
  if (!exists) console.warn(`ingest-samples: skipping ${folder}: ${reason}`);
  const suffix = exists ? '' : ` (skipped: ${reason})`;

  describe(`samples/${folder}`, () => {
    it.skipIf(!exists)(`finds ${format} alerts in the sample files${suffix}`, () => {
      let total = 0;
      for (const name of files) {
        const result = parseAlertFile(readFileSync(join(directory, name), 'utf8'), {
          fileName: name,
        });
        total += result.alerts.length;
        if (result.alerts.length > 0) expect(result.format, name).toBe(format);
      }
      expect(total).toBeGreaterThan(0);
    });

    for (const name of files) {
      it(`${name}: valid alerts, unique sourceRefs, located errors`, () => {
        const text = readFileSync(join(directory, name), 'utf8');
        const result = parseAlertFile(text, { fileName: name });
        // Every record is accounted for: an alert, a skip, a duplicate or a located error.
        expect(result.alerts.length + result.skipped + result.errors.length).toBeGreaterThan(0);
        const identities = new Set<string>();
        for (const alert of result.alerts) {
          expect(normalizedAlertSchema.safeParse(alert).success, alert.sourceRef).toBe(true);
          expect(alert.timestamp).toBeGreaterThanOrEqual(EARLIEST);
          expect(alert.timestamp).toBeLessThan(LATEST);
          expect(alert.raw).toBeTruthy();
          identities.add(`${alert.source}\u0000${alert.sourceRef}`);
        }
        expect(identities.size).toBe(result.alerts.length);
        const lineCount = text.split('\n').length;
        for (const error of result.errors) {
          expect(error.file).toBe(name);
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.line).toBeLessThanOrEqual(lineCount);
          expect(error.message).not.toMatch(/^not an alert file/);
        }
        // The same file parses the same way twice (COR-9 starts with stable input).
        expect(parseAlertFile(text, { fileName: name })).toEqual(result);
      });
    }

    if (folder === 'suricata') {
      for (const name of files) {
        it(`${name}: one alert per alert event, the other events skipped`, () => {
          const lines = readFileSync(join(directory, name), 'utf8')
            .split('\n')
            .filter((line) => line.trim() !== '');
          const alertLines = lines.filter((line) => line.includes('"event_type":"alert"')).length;
          const result = parseAlertFile(lines.join('\n'), { fileName: name });
          expect(result.errors).toEqual([]);
          expect(result.alerts).toHaveLength(alertLines);
          expect(result.skipped).toBe(lines.length - alertLines);
        });
      }
    }
  });
}

describe('known sample quirks', () => {
  const generator = join(
    SAMPLES_ROOT,
    'wazuh',
    'wazuh-wazuh-indexer-events-generator-alerts-subset.json',
  );
  const hasGenerator = existsSync(generator);
  it.skipIf(!hasGenerator)(
    `template timestamps are reported per line${hasGenerator ? '' : ' (skipped: sample absent)'}`,
    () => {
      const result = parseAlertFile(readFileSync(generator, 'utf8'), { fileName: 'gen.json' });
      expect(result.alerts).toEqual([]);
      expect(result.errors.length).toBeGreaterThan(0);
      result.errors.forEach((error, index) => {
        expect(error.line).toBe(index + 1);
        expect(error.message).toBe('timestamp: "{timestamp}" is not an ISO 8601 date');
      });
    },
  );

  const slIntegration = join(
    SAMPLES_ROOT,
    'wazuh',
    'wazuh-wazuh-indexer-sl-integration-test-subset.json',
  );
  const hasSl = existsSync(slIntegration);
  it.skipIf(!hasSl)(
    `a repeated Logstash-wrapped alert is kept once${hasSl ? '' : ' (skipped: sample absent)'}`,
    () => {
      const result = parseAlertFile(readFileSync(slIntegration, 'utf8'), { fileName: 'sl.json' });
      expect(result.errors).toEqual([]);
      expect(result.duplicates).toBeGreaterThan(0);
      expect(result.alerts.every((alert) => alert.source === 'wazuh')).toBe(true);
    },
  );
});

describe('issue 11 on the real samples', () => {
  const folders = FORMAT_FOLDERS.map(([folder]) => join(SAMPLES_ROOT, folder)).filter(existsSync);
  const allFiles = folders.flatMap((folder) =>
    readdirSync(folder)
      .filter((name) => !name.startsWith('.'))
      .map((name) => join(folder, name)),
  );
  const none = allFiles.length === 0;
  const skipped = none ? ' (skipped: no sample folder)' : '';

  it.skipIf(none)(
    `every sample reads the same with a UTF-8 byte order mark before it${skipped}`,
    () => {
      for (const file of allFiles) {
        const text = readFileSync(file, 'utf8');
        const name = path.basename(file);
        expect(parseAlertFile(`\ufeff${text}`, { fileName: name }), name).toEqual(
          parseAlertFile(text, { fileName: name }),
        );
      }
    },
  );

  it.skipIf(none)(`no sample record comes near the depth limit${skipped}`, () => {
    for (const file of allFiles) {
      const text = readFileSync(file, 'utf8');
      expect(depthExceededAt(text, 20), path.basename(file)).toBeNull();
    }
  });

  const dnp3 = join(SAMPLES_ROOT, 'suricata', 'oisf-suricata-verify-dnp3-data-alert-eve.json');
  const hasDnp3 = existsSync(dnp3);
  let caseNumber = 0;
  it.skipIf(!hasDnp3)(
    `loopback-only alerts keep 127.0.0.1 but do not correlate through it${hasDnp3 ? '' : ' (skipped: sample absent)'}`,
    () => {
      const result = parseAlertFile(readFileSync(dnp3, 'utf8'), { fileName: 'dnp3.json' });
      expect(result.alerts.length).toBeGreaterThan(1);
      for (const alert of result.alerts) {
        expect(alert.entities).toEqual([{ kind: 'ip', value: '127.0.0.1' }]);
      }
      const outcome = correlateAlerts(
        result.alerts.map((alert, index) => ({ ...alert, id: `a${index}`, tenant: 't' })),
        {
          index: new InMemoryCorrelationIndex(),
          allocateCase: () => ({ id: `c${(caseNumber += 1)}`, number: caseNumber }),
        },
      );
      expect(outcome.createdCases).toHaveLength(result.alerts.length);
    },
  );

  const sl = join(SAMPLES_ROOT, 'wazuh', 'wazuh-wazuh-indexer-sl-integration-test-subset.json');
  const hasSl = existsSync(sl);
  it.skipIf(!hasSl)(
    `a Wazuh agent named localhost is kept as the host, and is no correlation key${hasSl ? '' : ' (skipped: sample absent)'}`,
    () => {
      const result = parseAlertFile(readFileSync(sl, 'utf8'), { fileName: 'sl.json' });
      const hosts = result.alerts.flatMap((a) => a.entities.filter((e) => e.kind === 'host'));
      expect(hosts).toContainEqual({ kind: 'host', value: 'localhost' });
      expect(hosts.filter(isCorrelatingEntity).map((e) => e.value)).not.toContain('localhost');
    },
  );
});
