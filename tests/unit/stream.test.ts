import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAlertFile } from '../../shared/domain/ingest/parse';
import {
  MAX_BATCH_CHARS,
  readAlertStream,
  streamsByLine,
  type AlertBatch,
} from '../../shared/domain/ingest/stream';
import { SeededRandom } from '../../shared/domain/random';

/**
 * readAlertStream (shared/domain/ingest/stream.ts) reads a file as chunks, in batches. Whatever
 * the chunking and the batch size, it must give what the whole-file parser gives for the same
 * text (alerts in order, errors with their lines, skipped records), and no batch may hold more
 * than the batch size: that bound is what keeps an import's memory flat.
 */

const FIXTURES = join(__dirname, '..', 'fixtures', 'alerts');

/** The text cut at random places (some chunks empty, some a single character). */
function chunked(text: string, rng: SeededRandom): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length;) {
    const size = rng.int(0, 5) === 0 ? rng.int(0, 2) : rng.int(1, 400);
    out.push(text.slice(at, at + size));
    at += size;
  }
  return out;
}

function readAll(text: string, chunks: string[], batchSize: number): AlertBatch[] {
  return [...readAlertStream(chunks, { fileName: 'f.ndjson', format: 'auto', batchSize })];
}

function v1(ref: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    source: 'edr',
    sourceRef: `r-${ref}`,
    type: 'EDR',
    title: `Alert ${ref}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + ref * 60_000).toISOString(),
    severity: 40 + (ref % 50),
    entities: { hosts: [`ws-${ref % 7}`] },
    ...extra,
  });
}

const TEXTS: Record<string, string> = {
  'ndjson with errors, blank lines and CRLF': [
    v1(1),
    '',
    '{"source": broken',
    v1(2) + '\r',
    v1(3, { timestamp: 'yesterday-ish' }),
    '   ',
    v1(4),
    '[1, 2]',
    v1(5),
  ].join('\n'),
  'records of no known format before the first known one': [
    '{"hello": "world"}',
    '{"nope": 1}',
    v1(6),
    '{"still": "unknown"}',
    v1(7),
  ].join('\n'),
  'many records': Array.from({ length: 57 }, (_, i) => v1(100 + i)).join('\n') + '\n',
  'a JSON array': `[${[v1(201), v1(202), v1(203)].join(',\n')}]`,
  'concatenated objects': [v1(301), v1(302)]
    .map((r) => JSON.stringify(JSON.parse(r), null, 2))
    .join('\n'),
  'not JSON at all': 'time,host,message\n2026-01-01,ws-1,hello\n',
  empty: '',
};
for (const name of readdirSync(FIXTURES))
  TEXTS[`fixture ${name}`] = readFileSync(join(FIXTURES, name), 'utf8');

describe('readAlertStream', () => {
  for (const [name, text] of Object.entries(TEXTS)) {
    it(`gives what parseAlertFile gives, in batches, for ${name}`, () => {
      const whole = parseAlertFile(text, { fileName: 'f.ndjson', format: 'auto' });
      const rng = new SeededRandom(name.length * 7919);
      for (const batchSize of [1, 3, 1000]) {
        const batches = readAll(text, chunked(text, rng), batchSize);
        expect(batches.length).toBeGreaterThan(0);
        const alerts = batches.flatMap((b) => b.alerts);
        // the stream leaves in-file duplicates to the store; the whole-file parser drops them
        const seen = new Set<string>();
        const deduplicated = alerts.filter((a) => {
          const key = `${a.source}\u0000${a.sourceRef}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        expect(deduplicated).toEqual(whole.alerts);
        expect(batches.flatMap((b) => b.errors)).toEqual(whole.errors);
        expect(batches.reduce((n, b) => n + b.skipped, 0)).toBe(whole.skipped);
        for (const b of batches) expect(b.alerts.length).toBeLessThanOrEqual(batchSize);
        const consumed = batches.map((b) => b.consumed);
        expect(consumed).toEqual([...consumed].sort((a, b) => a - b));
        expect(consumed.at(-1)).toBe(text.length);
      }
    });
  }

  it('ends a batch inside a chunk: one 4 MB chunk of records gives batches of the batch size', () => {
    const text = Array.from({ length: 2_500 }, (_, i) => v1(i)).join('\n');
    const batches = readAll(text, [text], 1_000);
    expect(batches.map((b) => b.alerts.length)).toEqual([1_000, 1_000, 500]);
  });

  it('ends a batch of large records at MAX_BATCH_CHARS of source text', () => {
    const big = 'x'.repeat(512 * 1024);
    const text = Array.from({ length: 40 }, (_, i) => v1(i, { description: big })).join('\n');
    const batches = readAll(text, [text], 1_000);
    expect(batches.length).toBeGreaterThan(1);
    let start = 0;
    for (const b of batches) {
      // a batch ends at the first line end at or past the limit
      expect(b.consumed - start).toBeLessThan(MAX_BATCH_CHARS + big.length + 1_000);
      start = b.consumed;
    }
    expect(batches.reduce((n, b) => n + b.alerts.length, 0)).toBe(40);
  });

  it('tells NDJSON (read line by line) from what is read whole', () => {
    expect(streamsByLine(`\n  ${v1(1)}\n${v1(2)}\n`)).toBe(true);
    expect(streamsByLine(`[${v1(1)}]`)).toBe(false);
    expect(streamsByLine(JSON.stringify(JSON.parse(v1(1)), null, 2))).toBe(false);
    expect(streamsByLine('a,b,c\n1,2,3\n')).toBe(false);
    expect(streamsByLine('   ')).toBe(false);
  });
});
