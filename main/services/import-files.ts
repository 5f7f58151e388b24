import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/open';
import {
  parseAlertFile,
  type ParseError,
  type ParseFormatOption,
} from '../../shared/domain/ingest/parse';
import { IngestSession, type IngestCounts } from './ingest';
import { ADMIN_TENANT_NAME } from '../../shared/domain/types';
import { getCorrelationSettings } from './correlation-settings';
import { caseFilterPredicate, recordCaseFilterHits } from './case-filters';

export interface ImportSummary extends IngestCounts {
  failed: number;
  /** records of a known format that are not alerts (e.g. Suricata flow events) */
  skipped: number;
  errors: ParseError[];
}

const BATCH = 10_000;

/**
 * Imports alert files (ING-1): each file is parsed (format detected per record unless given),
 * unreadable records are reported with file and line, and the valid ones are ingested and
 * correlated in transactions of 10,000. Re-importing a file imports nothing new.
 */
export function importAlertFiles(
  store: Store,
  files: readonly string[],
  options: ImportOptions,
): ImportSummary {
  return importAlertSources(
    store,
    files.map((file) => ({ name: path.basename(file), read: () => fs.readFileSync(file, 'utf8') })),
    options,
  );
}

export interface AlertSource {
  name: string;
  read: () => string;
}

export interface ImportOptions {
  format: ParseFormatOption;
  actor: string;
  /** fraction of the whole import done, 0..1, and what is being done */
  onProgress?: (fraction: number, message: string) => void;
}

/** Imports alert sources (files on disk, or uploaded contents in the UI). */
export function importAlertSources(
  store: Store,
  sources: readonly AlertSource[],
  options: ImportOptions,
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
  const session = new IngestSession(store, {
    actor: options.actor,
    settings,
    isSuppressed: filters?.matches,
  });
  for (const [fileIndex, source] of sources.entries()) {
    const name = source.name;
    let text: string;
    try {
      text = source.read();
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
    // ADM-1: the admin organisation holds no alerts; such records fail alone, not the batch.
    const reserved = parsed.alerts.filter((a) => a.tenant === ADMIN_TENANT_NAME);
    for (const a of reserved) {
      summary.failed++;
      summary.errors.push({
        file: name,
        line: 0,
        message: `alert ${a.source}:${a.sourceRef} names the reserved '${ADMIN_TENANT_NAME}' organisation as its tenant`,
      });
    }
    if (reserved.length)
      parsed.alerts = parsed.alerts.filter((a) => a.tenant !== ADMIN_TENANT_NAME);
    for (let i = 0; i < parsed.alerts.length; i += BATCH) {
      const batch = parsed.alerts.slice(i, i + BATCH);
      const counts = session.ingest(batch);
      summary.imported += counts.imported;
      summary.duplicates += counts.duplicates;
      summary.suppressed += counts.suppressed;
      summary.casesCreated += counts.casesCreated;
      summary.casesUpdated += counts.casesUpdated;
      const done = Math.min(i + BATCH, parsed.alerts.length);
      options.onProgress?.(
        (fileIndex + done / parsed.alerts.length) / sources.length,
        `${name}: ${done.toLocaleString('en')} of ${parsed.alerts.length.toLocaleString('en')} alerts`,
      );
    }
  }
  if (filters) recordCaseFilterHits(store, filters.hits);
  return summary;
}
