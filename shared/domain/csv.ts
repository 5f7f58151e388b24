/**
 * RFC 4180 CSV for exports (TBL-7, OBS-4): fields separated by commas, records ended by CRLF, a
 * field quoted when it holds a comma, a double quote, CR or LF, with inner quotes doubled.
 *
 * Formula injection (TBL-7, OWASP "CSV Injection"): a text cell starting with `=`, `+`, `-`, `@`,
 * tab or CR would be run as a formula by Excel, LibreOffice or Sheets, so it is prefixed with a
 * single quote `'` inside the field (`=1+1` → `'=1+1`). Spreadsheets also skip leading blanks and
 * read full-width and other compatibility forms as the ASCII sign (`＝1+1`, ` =1+1`, `\u200B=1`
 * are formulas too), so a cell is neutralised when its first character that is not blank (Unicode
 * White_Space, format characters such as zero-width space and BOM, control characters) is a
 * trigger after compatibility folding (NFKC). The quote shows in the cell, which is the
 * accepted cost: the value stays readable and is never executed. Values of type number are
 * written as numbers and never prefixed (`-5` stays `-5`): they come from numeric columns and a
 * spreadsheet reads them as numbers, not formulas. The same text "-5" in a string column is
 * prefixed, since the exporter cannot tell it from `-2+3`.
 */

/** Byte order mark: lets Excel detect UTF-8. Write it once, before the first row. */
export const CSV_BOM = '\uFEFF';
export const CSV_LINE_BREAK = '\r\n';

export type CsvValue = string | number | boolean | Date | null | undefined;

const FORMULA_SIGNS = new Set(['=', '+', '-', '@']);
const BLANK = /^[\p{White_Space}\p{Cf}\p{Cc}]$/u;
const NEEDS_QUOTES = /[",\r\n]/;

/** Whether a spreadsheet would evaluate this text as a formula (see the file comment). */
export function startsLikeFormula(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first === 0x09 || first === 0x0d) return true; // OWASP: a leading tab or CR
  // Fast path: printable ASCII decides at once.
  if (first > 0x20 && first < 0x7f) return FORMULA_SIGNS.has(text[0] as string);
  for (const char of text) {
    // NFKC may fold one character into several (U+FE66 → "="), or into blanks and marks.
    for (const folded of char.normalize('NFKC')) {
      if (BLANK.test(folded)) continue;
      return FORMULA_SIGNS.has(folded);
    }
  }
  return false;
}

/** Prefixes text that a spreadsheet would evaluate as a formula. */
export function neutraliseFormula(text: string): string {
  return startsLikeFormula(text) ? `'${text}` : text;
}

/**
 * One field: null and undefined are empty; numbers as JavaScript prints them (non-finite ones
 * empty); booleans `true` / `false`; dates as ISO 8601 UTC; text neutralised, then quoted if
 * needed.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = neutraliseFormula(value instanceof Date ? value.toISOString() : value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, ending with CRLF so rows can be streamed to a file one by one. */
export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',') + CSV_LINE_BREAK;
}

/** A whole document: optional BOM, then each row ended by CRLF. */
export function csvDocument(
  rows: Iterable<readonly CsvValue[]>,
  options: { bom?: boolean } = {},
): string {
  let document = options.bom ? CSV_BOM : '';
  for (const row of rows) document += csvRow(row);
  return document;
}
