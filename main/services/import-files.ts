import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/open';
import {
  parseAlertFile,
  type ParseError,
  type ParseFormatOption,
} from '../../shared/domain/ingest/parse';
import { ingestAlerts, type IngestCounts } from './ingest';
import { getCorrelationSettings } from './correlation-settings';
import { caseFilterPredicate, recordCaseFilterHits } from './case-filters';

export interface ImportSummary extends IngestCounts {
  failed: number;
  /** records of a known format that are not alerts (e.g. Suricata flow events) */
  skipped: number;
  errors: ParseError[];
}

const BATCH = 5000;

/**
 * Imports alert files (ING-1): each file is parsed (format detected per record unless given),
 * unreadable records are reported with file and line, and the valid ones are ingested and
 * correlated in transactions of 5,000. Re-importing a file imports nothing new.
 */
export function importAlertFiles(
  store: Store,
  files: readonly string[],
  options: {
    format: ParseFormatOption;
    actor: string;
    onProgress?: (done: number, total: number) => void;
  },
): ImportSummary {
  const summary: ImportSummary = {
    read: 0,
    imported: 0,
    duplicates: 0,
    suppressed: 0,
    failed: 0,
    skipped: 0,
    casesCreated: 0,
    casesUpdated: 0,
    errors: [],
  };
  const settings = getCorrelationSettings(store);
  const filters = caseFilterPredicate(store);
  for (const file of files) {
    const name = path.basename(file);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      summary.failed++;
      summary.errors.push({
        file: name,
        line: 0,
        message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      });
      continue;
    }
    const parsed = parseAlertFile(text, { fileName: name, format: options.format });
    summary.read += parsed.alerts.length + parsed.errors.length + parsed.duplicates;
    summary.failed += parsed.errors.length;
    summary.skipped += parsed.skipped;
    summary.duplicates += parsed.duplicates;
    summary.errors.push(...parsed.errors);
    for (let i = 0; i < parsed.alerts.length; i += BATCH) {
      const batch = parsed.alerts.slice(i, i + BATCH);
      const counts = ingestAlerts(store, batch, {
        actor: options.actor,
        settings,
        isSuppressed: filters?.matches,
      });
      summary.imported += counts.imported;
      summary.duplicates += counts.duplicates;
      summary.suppressed += counts.suppressed;
      summary.casesCreated += counts.casesCreated;
      summary.casesUpdated += counts.casesUpdated;
      options.onProgress?.(Math.min(i + BATCH, parsed.alerts.length), parsed.alerts.length);
    }
  }
  if (filters) recordCaseFilterHits(store, filters.hits);
  return summary;
}
