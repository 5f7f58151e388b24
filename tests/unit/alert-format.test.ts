import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SEVERITY, watchfloorAlertSchema } from '../../shared/domain/alert-format';
import { parseNdjsonLine } from '../../shared/domain/ingest/parse';
import { alertScoreFromSeverity } from '../../shared/domain/severity';

const README = fs.readFileSync(path.resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The fields the schema refuses to do without. */
function requiredBySchema(): string[] {
  return Object.entries(watchfloorAlertSchema.shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([name]) => name)
    .sort();
}

/** The fields README's "Watchfloor alert format v1" section calls required. */
function requiredByReadme(): string[] {
  const section = README.slice(README.indexOf('### Watchfloor alert format v1'));
  const sentence = /((?:`\w+`(?: \([^)]*\))?(?:, | and )?)+) (?:\([^)]*\) )?are required/.exec(
    section,
  );
  expect(sentence, 'README names the required fields of the Watchfloor format').not.toBeNull();
  return [...sentence![1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!).sort();
}

describe('Watchfloor alert format v1: required fields (issue 11)', () => {
  it('the README and the schema name the same required fields', () => {
    expect(requiredByReadme()).toEqual(requiredBySchema());
    expect(requiredBySchema()).toEqual(['source', 'sourceRef', 'timestamp', 'title']);
  });

  it('an alert without severity is read with the documented default', () => {
    const line = JSON.stringify({
      source: 's',
      sourceRef: 'r',
      title: 't',
      timestamp: '2026-05-01T10:00:00Z',
    });
    const result = parseNdjsonLine(line, 1, 'a.ndjson');
    expect(result.kind).toBe('alert');
    expect(result.kind === 'alert' && result.alert.score).toBe(
      alertScoreFromSeverity(DEFAULT_ALERT_SEVERITY),
    );
    expect(DEFAULT_ALERT_SEVERITY).toBe('medium');
    expect(README).toMatch(/`severity`[^.]*default `medium`/);
  });
});
