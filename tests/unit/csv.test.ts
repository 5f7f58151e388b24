import { describe, expect, it } from 'vitest';
import {
  CSV_BOM,
  CSV_LINE_BREAK,
  csvCell,
  csvDocument,
  csvRow,
  neutraliseFormula,
} from '../../shared/domain/csv';
import type { CsvValue } from '../../shared/domain/csv';
import { SeededRandom } from '../../shared/domain/random';

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let fieldStart = true;
  while (i < text.length) {
    const char = text[i] as string;
    if (fieldStart && char === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\r') {
        throw new Error(`text after closing quote at ${i}`);
      }
      fieldStart = false;
      continue;
    }
    if (char === ',') {
      record.push(field);
      field = '';
      fieldStart = true;
      i += 1;
    } else if (char === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`bare CR at ${i}`);
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStart = true;
      i += 2;
    } else if (char === '\n' || char === '"') {
      throw new Error(`unquoted ${JSON.stringify(char)} at ${i}`);
    } else {
      field += char;
      fieldStart = false;
      i += 1;
    }
  }
  if (!fieldStart || field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

describe('csvCell', () => {
  it('leaves plain text alone and quotes only when needed', () => {
    expect(csvCell('Phishing email')).toBe('Phishing email');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell('')).toBe('');
    expect(csvCell(' padded ')).toBe(' padded ');
  });

  it('writes non-text values predictably', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(0.5)).toBe('0.5');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('2026-01-02T03:04:05.000Z');
  });

  it('neutralises text a spreadsheet would run as a formula (TBL-7)', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe('"\'\r=1"');
    expect(csvCell('=1,2')).toBe('"\'=1,2"');
    expect(csvCell('a=1')).toBe('a=1');
    expect(neutraliseFormula('')).toBe('');
  });

  it('neutralises full-width and compatibility forms of the triggers (NFKC)', () => {
    for (const text of [
      '\uFF1D1+1',
      '\uFF0B1',
      '\uFF0D2',
      '\uFF20SUM(A1)',
      '\uFE66cmd',
      '\u207A1',
    ]) {
      expect(csvCell(text)).toBe(`'${text}`);
    }
  });

  it('neutralises a trigger behind leading blanks: spaces, LF, NBSP, zero-width, BOM', () => {
    for (const lead of [
      ' ',
      '  ',
      '\n',
      '\u00A0',
      '\u200B',
      '\uFEFF',
      '\u3000',
      '\u2060',
      ' \u200B\n',
    ]) {
      const text = `${lead}=1+1`;
      expect(neutraliseFormula(text)).toBe(`'${text}`);
    }
    expect(neutraliseFormula(' \uFF1DSUM(A1)')).toBe("' \uFF1DSUM(A1)");
    // Blanks before ordinary text are left alone, and so are triggers further in.
    expect(neutraliseFormula('  indented')).toBe('  indented');
    expect(neutraliseFormula('\u00A0a=1')).toBe('\u00A0a=1');
    expect(neutraliseFormula('\u200B')).toBe('\u200B');
  });

  it('keeps numbers numeric, even negative ones, but not numeric-looking text', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(-0.25)).toBe('-0.25');
    expect(csvCell('-5')).toBe("'-5");
  });
});

describe('csvRow and csvDocument', () => {
  it('join fields with commas and end records with CRLF', () => {
    expect(csvRow(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
    expect(csvRow([])).toBe('\r\n');
    expect(CSV_LINE_BREAK).toBe('\r\n');
  });

  it('start with a BOM only when asked', () => {
    expect(CSV_BOM).toBe('\uFEFF');
    expect(csvDocument([['x']], { bom: true })).toBe('\uFEFFx\r\n');
    expect(csvDocument([['x'], ['y']])).toBe('x\r\ny\r\n');
  });

  it('round-trips through an RFC 4180 reader', () => {
    const rows: CsvValue[][] = [
      ['Case ID', 'Case Name', 'Score', 'Tags'],
      [17, 'Phishing "invoice", urgent', 75, 'vip,phishing'],
      [18, 'multi\r\nline\nname', -3, ''],
      [19, '=cmd|"/c calc"!A1', 0, '@team'],
    ];
    expect(readCsv(csvDocument(rows))).toEqual([
      ['Case ID', 'Case Name', 'Score', 'Tags'],
      ['17', 'Phishing "invoice", urgent', '75', 'vip,phishing'],
      ['18', 'multi\r\nline\nname', '-3', ''],
      ['19', '\'=cmd|"/c calc"!A1', '0', "'@team"],
    ]);
  });

  it('round-trips 500 random rows of awkward text', () => {
    const random = new SeededRandom(4180);
    const alphabet = [
      'a',
      'Z',
      ' ',
      ',',
      '"',
      '\r',
      '\n',
      '\r\n',
      '=',
      '+',
      '-',
      '@',
      '\t',
      'é',
      '💥',
      "'",
    ];
    const rows: string[][] = [];
    for (let r = 0; r < 500; r++) {
      rows.push(
        Array.from({ length: random.int(1, 6) }, () =>
          Array.from({ length: random.int(0, 12) }, () => random.pick(alphabet)).join(''),
        ),
      );
    }
    const parsed = readCsv(csvDocument(rows));
    expect(parsed).toHaveLength(rows.length);
    parsed.forEach((record, r) => {
      const original = rows[r] as string[];
      expect(record).toHaveLength(original.length);
      record.forEach((field, c) => {
        const value = original[c] as string;
        // Either the value itself, or the value behind the neutralising quote.
        expect(field).toBe(spreadsheetRunsAsFormula(value) ? `'${value}` : value);
      });
    });
  });
});

/**
 * What a spreadsheet program does with a cell's text (the model the property below checks
 * against): a text starting with tab or CR, or whose first non-blank character — after Unicode
 * compatibility folding, so full-width and small forms count — is = + - or @, is a formula.
 */
function spreadsheetRunsAsFormula(cell: string): boolean {
  if (cell.startsWith('\t') || cell.startsWith('\r')) return true;
  const shown = cell.normalize('NFKC').replace(/^[\p{White_Space}\p{Cf}\p{Cc}]+/u, '');
  return /^[=+\-@]/.test(shown);
}

describe('formula neutralisation (property)', () => {
  const blanks = [
    ' ',
    '\n',
    '\r',
    '\t',
    '\u00A0',
    '\u2002',
    '\u3000',
    '\u200B',
    '\u200D',
    '\u2060',
    '\uFEFF',
    '\u180E',
    '\u202F',
  ];
  const triggers = [
    '=',
    '+',
    '-',
    '@',
    '\uFF1D',
    '\uFF0B',
    '\uFF0D',
    '\uFF20',
    '\uFE62',
    '\uFE63',
    '\uFE66',
    '\u207A',
    '\u207B',
    '\u208A',
    '\u208C',
  ];
  const others = ['a', '1', 'Z', ',', '"', "'", 'é', '💥', '\uFF21', '\u2212', '(', '.'];

  it('no written cell is a formula to a spreadsheet, and harmless text is written unchanged', () => {
    const random = new SeededRandom(20_11);
    for (let n = 0; n < 20_000; n++) {
      const parts: string[] = [];
      for (let i = random.int(0, 3); i > 0; i--) parts.push(random.pick(blanks));
      if (random.next() < 0.6) parts.push(random.pick(triggers));
      for (let i = random.int(0, 4); i > 0; i--) {
        parts.push(
          random.pick(random.next() < 0.3 ? triggers : random.next() < 0.5 ? blanks : others),
        );
      }
      const value = parts.join('');
      const [[field]] = readCsv(csvRow([value])) as [[string]];
      expect(spreadsheetRunsAsFormula(field), JSON.stringify(value)).toBe(false);
      expect(field).toBe(spreadsheetRunsAsFormula(value) ? `'${value}` : value);
    }
  });
});
