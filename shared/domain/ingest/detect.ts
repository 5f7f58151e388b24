import type { AlertFormat, RecordImport } from './build-alert';
import { importEcsRecord, looksLikeEcsAlert } from './ecs';
import { isJsonObject, type JsonObject } from './fields';
import { importSuricataRecord, looksLikeSuricataEvent } from './suricata';
import { importTheHiveRecord, looksLikeTheHiveAlert } from './thehive';
import { importWatchfloorRecord, looksLikeWatchfloorAlert } from './watchfloor';
import { importWazuhRecord, looksLikeWazuhAlert } from './wazuh';

/**
 * Recognises the format of one record from the fields it carries (ING-1). Checks go from the
 * most to the least specific: TheHive before Watchfloor (both carry `source` and `sourceRef`;
 * TheHive has `date` where Watchfloor has `timestamp`).
 */
const DETECTORS: ReadonlyArray<readonly [AlertFormat, (record: JsonObject) => boolean]> = [
  ['thehive', looksLikeTheHiveAlert],
  ['watchfloor', looksLikeWatchfloorAlert],
  ['ecs', looksLikeEcsAlert],
  ['suricata', looksLikeSuricataEvent],
  ['wazuh', looksLikeWazuhAlert],
];

/** The format of a record, or null when it is in none that Watchfloor knows. */
export function detectFormat(record: unknown): AlertFormat | null {
  if (!isJsonObject(record)) return null;
  for (const [format, looksLike] of DETECTORS) {
    if (looksLike(record)) return format;
  }
  return null;
}

/** The importer of each format. */
export const IMPORTERS: Record<AlertFormat, (record: JsonObject) => RecordImport> = {
  watchfloor: importWatchfloorRecord,
  ecs: importEcsRecord,
  suricata: importSuricataRecord,
  wazuh: importWazuhRecord,
  thehive: importTheHiveRecord,
};
