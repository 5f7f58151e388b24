import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import {
  CASE_REPORT_CSP,
  CASE_REPORT_FORMAT_VERSION,
  caseReportFileName,
  escapeHtml,
  formatReportSize,
  formatReportTime,
  parseCaseReportJson,
  renderCaseReportHtml,
  renderCaseReportJson,
} from '../../shared/domain/case-report';
import { HOSTILE_CASE_NAME, SHA512_VALUE, caseReportFixture } from '../helpers/case-report-fixture';

function parseHtml(html: string): Document {
  return new JSDOM(html).window.document;
}

describe('renderCaseReportHtml', () => {
  const html = renderCaseReportHtml(caseReportFixture());
  const document = parseHtml(html);
  const elements = [...document.querySelectorAll('*')];

  it('has no script element and no event handler attribute anywhere', () => {
    expect(document.querySelectorAll('script')).toHaveLength(0);
    const handlers = elements.flatMap((element) =>
      element.getAttributeNames().filter((name) => name.toLowerCase().startsWith('on')),
    );
    expect(handlers).toEqual([]);
  });

  it('loads nothing from outside: no src, no resource elements, no url() in the CSS', () => {
    expect(elements.filter((element) => element.hasAttribute('src'))).toEqual([]);
    expect(
      document.querySelectorAll(
        'img, iframe, object, embed, link, video, audio, source, form, base',
      ),
    ).toHaveLength(0);
    const css = [...document.querySelectorAll('style')].map((style) => style.textContent).join('');
    expect(css).not.toMatch(/url\(|@import/i);
    expect(elements.filter((element) => element.hasAttribute('style'))).toEqual([]);
  });

  it('links only to https: and mailto: (from markdown), never javascript:', () => {
    const hrefs = [...document.querySelectorAll('[href]')].map((element) =>
      element.getAttribute('href'),
    );
    expect(hrefs).toEqual(['https://example.com/advisory', 'https://tickets.example/42']);
  });

  it('declares a CSP that forbids scripts and every external resource', () => {
    const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
    expect(meta?.getAttribute('content')).toBe(CASE_REPORT_CSP);
    expect(CASE_REPORT_CSP).toContain("default-src 'none'");
    expect(CASE_REPORT_CSP).toContain("script-src 'none'");
    // The CSP comes before anything it governs.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
  });

  it('escapes <script> in the case name: it is text in the title and the heading', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(document.querySelector('h1')?.textContent).toBe(`Case #7228: ${HOSTILE_CASE_NAME}`);
    expect(document.title).toBe(`Case #7228: ${HOSTILE_CASE_NAME}`);
  });

  it('shows raw HTML in markdown and alert titles as text', () => {
    expect(document.body.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(document.body.textContent).toContain('<script>steal()</script>');
    expect(document.body.textContent).toContain('Suspicious inbox rule <b>created</b>');
    expect(document.querySelectorAll('b')).toHaveLength(0);
  });

  it('holds the fields, alerts, tasks with logs, observables, evidence, timeline and comments', () => {
    const text = document.body.textContent ?? '';
    const fieldRows = new Map(
      [...document.querySelectorAll('table.fields tr')].map((row) => [
        row.querySelector('th')?.textContent,
        row.querySelector('td')?.textContent,
      ]),
    );
    expect(fieldRows.get('Status')).toBe('Resolved');
    expect(fieldRows.get('Outcome')).toBe('True Positive');
    expect(fieldRows.get('Tenant')).toBe('Acme Corp');
    expect(fieldRows.get('Closed')).toBe('2026-03-04 13:26:07 UTC');
    for (const expected of [
      'Alerts (3)',
      'Phishing mail delivered #2',
      'Tasks (2)',
      'Block sender',
      'Blocked evil.example at the gateway.',
      'gateway-export.csv',
      'Observables (2)',
      'evil-login.example',
      SHA512_VALUE,
      'hash (sha512)',
      'Evidence (2)',
      'original.eml',
      '48.2 kB',
      'Timeline (3)',
      'Status In Progress → Resolved',
      'Comments (1)',
      'Sender spoofed our CEO.',
      'Closing summary',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('groups tasks in their order and sorts the timeline oldest first', () => {
    expect([...document.querySelectorAll('h3')].map((h) => h.textContent)).toEqual([
      'Identification',
      'Containment',
    ]);
    const timelineSection = [...document.querySelectorAll('section')].find((s) =>
      s.querySelector('h2')?.textContent?.startsWith('Timeline'),
    );
    const kinds = [...(timelineSection?.querySelectorAll('tbody tr') ?? [])].map(
      (row) => row.children[1]?.textContent,
    );
    expect(kinds).toEqual(['Alert', 'Comment', 'Activity']);
  });

  it('shows an evidence link as text, not as a link (evidence URLs are often the bad ones)', () => {
    expect(document.body.textContent).toContain('https://evil-login.example/kit');
    expect(document.querySelector('a[href*="evil-login"]')).toBeNull();
  });

  it('says so when a section is empty', () => {
    const data = caseReportFixture();
    const emptyDocument = parseHtml(
      renderCaseReportHtml({
        ...data,
        alerts: [],
        tasks: [],
        comments: [],
        observables: [],
        evidence: [],
        timeline: [],
      }),
    );
    const text = emptyDocument.body.textContent ?? '';
    for (const expected of [
      'No alerts.',
      'No tasks.',
      'No observables.',
      'No evidence.',
      'No timeline entries.',
      'No comments.',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('refuses data that does not match the schema, naming the field', () => {
    const data = caseReportFixture();
    expect(() =>
      renderCaseReportHtml({ ...data, case: { ...data.case, tlp: 'PURPLE' as 'RED' } }),
    ).toThrow(/tlp/);
  });
});

describe('renderCaseReportJson', () => {
  it('writes the data with its format and version, and reads back equal', () => {
    const data = caseReportFixture();
    const text = renderCaseReportJson(data);
    const parsed = parseCaseReportJson(text);
    expect(parsed.format).toBe('watchfloor-case-report');
    expect(parsed.formatVersion).toBe(CASE_REPORT_FORMAT_VERSION);
    const { format: _format, formatVersion: _version, ...rest } = parsed;
    expect(rest).toEqual(data);
  });

  it('refuses a field the schema does not name (no silent extra data)', () => {
    const data = caseReportFixture();
    expect(() =>
      renderCaseReportJson({ ...data, case: { ...data.case, secret: 'x' } as typeof data.case }),
    ).toThrow(/secret/);
  });

  it('refuses a report of another version or no JSON, saying why', () => {
    const text = renderCaseReportJson(caseReportFixture()).replace(
      '"formatVersion": 1',
      '"formatVersion": 2',
    );
    expect(() => parseCaseReportJson(text)).toThrow(/^not a case report: formatVersion: /);
    expect(() => parseCaseReportJson('{')).toThrow(/^not a case report: not JSON/);
  });
});

describe('report helpers', () => {
  it('names files by case number only', () => {
    expect(caseReportFileName(7228, 'pdf')).toBe('case-7228-report.pdf');
  });

  it('formats times in UTC and sizes in decimal units', () => {
    expect(formatReportTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05 UTC');
    expect(formatReportTime(null)).toBe('—');
    expect(formatReportSize(512)).toBe('512 B');
    expect(formatReportSize(1_500_000)).toBe('1.5 MB');
    expect(formatReportSize(null)).toBe('—');
  });

  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
