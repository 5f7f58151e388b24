import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path, { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizedAlertSchema } from '../../shared/domain/alert-format';
import type { AlertFormat } from '../../shared/domain/ingest/build-alert';
import { parseAlertFile } from '../../shared/domain/ingest/parse';

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
