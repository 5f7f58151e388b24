import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCaseReportPdf, reportFontFiles } from '../../main/reports/case-report-pdf';
import { HOSTILE_CASE_NAME, SHA512_VALUE, caseReportFixture } from '../helpers/case-report-fixture';

/** pdftotext and pdffonts come with poppler-utils (scripts/setup-test-env.sh installs it). */
const popplerMissing = spawnSync('pdftotext', ['-v']).error !== undefined;
if (popplerMissing) {
  console.log(
    'case-report-pdf: SKIPPED the text checks: pdftotext is not installed (apt-get install poppler-utils, or run scripts/setup-test-env.sh)',
  );
}

let folder: string;

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'watchfloor-report-pdf-'));
});

afterAll(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

async function writePdf(name: string, data = caseReportFixture()): Promise<string> {
  const file = path.join(folder, name);
  fs.writeFileSync(file, await renderCaseReportPdf(data));
  return file;
}

function pdfText(file: string): string {
  const result = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pdftotext failed: ${result.stderr}`);
  return result.stdout;
}

/** Text with each run of whitespace as one space: table cells wrap their text over lines. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

describe('renderCaseReportPdf', () => {
  it('writes a PDF document', async () => {
    const pdf = await renderCaseReportPdf(caseReportFixture());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
  });

  describe.skipIf(popplerMissing)('its text, as pdftotext reads it', () => {
    let text: string;
    let pages: number;

    beforeAll(async () => {
      const raw = pdfText(await writePdf('report.pdf', caseReportFixture({ alertCount: 80 })));
      pages = raw.split('\f').filter((page) => page.trim() !== '').length;
      text = flat(raw);
    });

    it('holds the case fields', () => {
      for (const expected of [
        'Case #7228',
        'Acme Corp',
        'Resolved',
        'True Positive',
        'Ana Analyst',
        'T1566 Phishing',
        '2026-03-04 13:26:07 UTC',
        'Blocked the sender; 3 users reset.',
      ]) {
        expect(text).toContain(expected);
      }
    });

    it('shows the case name as text, Cyrillic and Greek included (embedded DejaVu Sans)', () => {
      expect(text).toContain('<script>alert("pwned")</script>');
      expect(text).toContain('Фишинг Ελλάδα');
      expect(HOSTILE_CASE_NAME).toContain('Фишинг Ελλάδα');
    });

    it('holds every alert title, across pages', () => {
      expect(text).toContain('Suspicious inbox rule <b>created</b>');
      expect(text).toContain('Phishing mail delivered #1');
      expect(text).toContain('Phishing mail delivered #79');
      expect(pages).toBeGreaterThanOrEqual(3);
    });

    it('holds tasks with their logs, observables, evidence, timeline and comments', () => {
      for (const expected of [
        'Identification',
        'Collect the original message',
        'Block sender',
        'assigned to Ben Blue',
        'Blocked evil.example at the gateway.',
        'Attachment: gateway-export.csv',
        'evil-login.example',
        'hash (sha512)',
        'original.eml',
        'Status In Progress → Resolved',
        'Sender spoofed our CEO. <script>steal()</script> See ticket (https://tickets.example/42).',
      ]) {
        expect(text).toContain(expected);
      }
    });

    it('wraps a long hash inside its cell instead of cutting it', () => {
      expect(text.replace(/\s+/g, '')).toContain(SHA512_VALUE);
      // It did wrap: the cell is narrower than 128 characters.
      expect(text).not.toContain(SHA512_VALUE);
    });

    it('numbers every page "Page n of N" and marks it with the TLP', () => {
      for (let page = 1; page <= pages; page += 1) {
        expect(text).toContain(`Page ${page} of ${pages}`);
      }
      expect(text.match(/Case #7228 · TLP:AMBER · Watchfloor case report v1/g)).toHaveLength(pages);
    });

    it('embeds every font it uses (no system font needed to show it)', async () => {
      const file = await writePdf('fonts.pdf');
      const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .slice(2);
      expect(fonts.length).toBeGreaterThanOrEqual(2);
      for (const line of fonts)
        expect(line).toMatch(/DejaVu\S*\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    });

    it('says so when a section is empty', async () => {
      const data = caseReportFixture();
      const emptyText = flat(
        pdfText(
          await writePdf('empty.pdf', {
            ...data,
            case: { ...data.case, description: '', summary: null },
            alerts: [],
            tasks: [],
            observables: [],
            evidence: [],
            timeline: [],
            comments: [],
          }),
        ),
      );
      for (const expected of [
        'No alerts.',
        'No tasks.',
        'No observables.',
        'No evidence.',
        'No timeline entries.',
        'No comments.',
      ]) {
        expect(emptyText).toContain(expected);
      }
      expect(emptyText).not.toContain('Closing summary');
    });

    it('cuts a cell too long for one page and says where the whole value is', async () => {
      const data = caseReportFixture();
      const longValue = 'A'.repeat(5_000);
      const cutText = flat(
        pdfText(
          await writePdf('long.pdf', {
            ...data,
            observables: [
              {
                ...(data.observables[0] as (typeof data.observables)[number]),
                dataType: 'other',
                value: longValue,
              },
            ],
          }),
        ),
      );
      expect(cutText).toContain('(cut; the JSON report has it whole)');
    });
  });

  it('refuses data that does not match the report schema', async () => {
    const data = caseReportFixture();
    await expect(
      renderCaseReportPdf({ ...data, case: { ...data.case, score: 101 } }),
    ).rejects.toThrow(/score/);
  });

  it('says which font file is missing from a font folder', () => {
    expect(() => reportFontFiles(folder)).toThrow(/the report font .*DejaVuSans\.ttf is missing/);
  });
});
