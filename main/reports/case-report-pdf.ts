import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import {
  CASE_REPORT_FORMAT_VERSION,
  TIMELINE_KIND_LABELS,
  caseReportDataSchema,
  caseReportFieldRows,
  formatReportSize,
  formatReportTime,
  sortedTimeline,
  tasksByGroup,
  type CaseReportData,
  type ReportTask,
} from '../../shared/domain/case-report';
import { markdownToPlainText } from '../../shared/domain/markdown';

/**
 * The case report as a real PDF (CAS-5), drawn with pdfkit: headings, a fields table, tables of
 * alerts, observables, evidence and timeline, tasks with their logs, comments, "Page n of N" and
 * the case's TLP on every page. Markdown is shown as plain text (markdownToPlainText: structure
 * kept, marks dropped, `javascript:` links stay literal).
 *
 * Fonts: DejaVu Sans, Sans Bold and Sans Mono from the `dejavu-fonts-ttf` package, embedded as
 * subsets (only the glyphs used), so the PDF shows Latin, Greek, Cyrillic, Armenian, Georgian and
 * Hebrew letters and many symbols. The 14 standard PDF fonts cannot show anything beyond
 * Windows-1252. DejaVu has no CJK glyphs: Chinese, Japanese and Korean text prints as empty boxes
 * (the HTML and JSON reports keep it); right-to-left scripts print unshaped in logical order.
 * No system font is read, so every machine draws the same PDF.
 */

export interface ReportFontFiles {
  regular: string;
  bold: string;
  mono: string;
}

const FONT_FILE_NAMES: ReportFontFiles = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  mono: 'DejaVuSansMono.ttf',
};

/**
 * The report fonts in `fontDirectory` (the app bundle copies them next to main's bundle), or in
 * the installed `dejavu-fonts-ttf` package when none is given (CLI, tests, browser mode).
 */
export function reportFontFiles(fontDirectory?: string): ReportFontFiles {
  const directory =
    fontDirectory ??
    path.join(
      path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
      'ttf',
    );
  const files: ReportFontFiles = {
    regular: path.join(directory, FONT_FILE_NAMES.regular),
    bold: path.join(directory, FONT_FILE_NAMES.bold),
    mono: path.join(directory, FONT_FILE_NAMES.mono),
  };
  for (const file of Object.values(files)) {
    if (!fs.existsSync(file)) throw new Error(`the report font ${file} is missing`);
  }
  return files;
}

export interface CaseReportPdfOptions {
  fonts?: ReportFontFiles;
}

type Doc = PDFKit.PDFDocument;
type FontKind = keyof ReportFontFiles;

const fontFilesOf = new WeakMap<Doc, ReportFontFiles>();

/**
 * Selects a font by its file path, not a `registerFont` alias: pdfkit caches an alias's font only
 * when no font of the same name is loaded yet, so an alias re-reads and re-parses the TTF file on
 * every switch (250 alerts took 11 s that way).
 */
function useFont(doc: Doc, kind: FontKind): Doc {
  const files = fontFilesOf.get(doc);
  if (!files) throw new Error('the report fonts are not set for this document');
  return doc.font(files[kind]);
}

const MARGIN = 50;
const FOOTER_GAP = 28;
const COLOURS = { text: '#1b1f24', muted: '#57606a', rule: '#d0d7de', headerFill: '#f3f5f7' };
/** A table cell holds at most this much text, so one row always fits on a page. */
const MAX_CELL_CHARACTERS = 700;

interface Column {
  header: string;
  /** Share of the table's width. */
  weight: number;
  mono?: boolean;
}

/** The PDF report of `data`. */
export async function renderCaseReportPdf(
  input: CaseReportData,
  options: CaseReportPdfOptions = {},
): Promise<Buffer> {
  const data = caseReportDataSchema.parse(input);
  const fonts = options.fonts ?? reportFontFiles();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + FOOTER_GAP, left: MARGIN, right: MARGIN },
    bufferPages: true,
    // An embedded font from the start: pdfkit never loads its standard-font files (which a
    // bundled main process would not find).
    font: fonts.regular,
    info: {
      Title: `Case #${data.case.number}: ${data.case.name}`,
      Author: data.generatedBy,
      Subject: `Watchfloor case report, TLP:${data.case.tlp}`,
      Creator: 'Watchfloor',
      CreationDate: new Date(data.generatedAt),
    },
  });
  fontFilesOf.set(doc, fonts);

  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  drawReport(doc, data);
  drawPageFurniture(doc, data);
  doc.end();
  return finished;
}

function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

function bottomLimit(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** Starts a new page when fewer than `height` points are left on this one. */
function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottomLimit(doc)) doc.addPage();
}

function heading(doc: Doc, title: string): void {
  ensureSpace(doc, 60);
  doc.moveDown(0.8);
  useFont(doc, 'bold').fontSize(13).fillColor(COLOURS.text);
  doc.text(title, MARGIN, doc.y, { width: contentWidth(doc) });
  const y = doc.y + 2;
  doc
    .moveTo(MARGIN, y)
    .lineTo(MARGIN + contentWidth(doc), y)
    .lineWidth(0.5)
    .strokeColor(COLOURS.rule)
    .stroke();
  doc.y = y + 6;
}

function subheading(doc: Doc, title: string): void {
  ensureSpace(doc, 40);
  doc.moveDown(0.4);
  useFont(doc, 'bold').fontSize(11).fillColor(COLOURS.text);
  doc.text(title, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.2);
}

function paragraph(
  doc: Doc,
  text: string,
  options: {
    font?: 'regular' | 'bold' | 'mono';
    size?: number;
    colour?: string;
    indent?: number;
  } = {},
): void {
  const indent = options.indent ?? 0;
  useFont(doc, options.font ?? 'regular')
    .fontSize(options.size ?? 9.5)
    .fillColor(options.colour ?? COLOURS.text);
  ensureSpace(doc, doc.currentLineHeight(true) + 2);
  doc.text(text, MARGIN + indent, doc.y, { width: contentWidth(doc) - indent });
}

function emptyNote(doc: Doc, what: string): void {
  paragraph(doc, `No ${what}.`, { colour: COLOURS.muted });
}

function markdownText(doc: Doc, source: string, indent = 0): void {
  const text = markdownToPlainText(source).trim();
  if (text === '') paragraph(doc, 'None.', { colour: COLOURS.muted, indent });
  else paragraph(doc, text, { indent });
}

function cellText(value: string): string {
  return value.length > MAX_CELL_CHARACTERS
    ? `${value.slice(0, MAX_CELL_CHARACTERS)}… (cut; the JSON report has it whole)`
    : value;
}

/**
 * A table whose rows wrap their cells (long hashes break anywhere) and never split across pages;
 * the header row is drawn again at the top of each page the table continues on.
 */
function table(
  doc: Doc,
  columns: readonly Column[],
  rows: readonly string[][],
  fontSize = 8,
): void {
  const width = contentWidth(doc);
  const totalWeight = columns.reduce((sum, column) => sum + column.weight, 0);
  const widths = columns.map((column) => (column.weight / totalWeight) * width);
  const padding = 3;

  const rowHeight = (cells: readonly string[], header: boolean): number =>
    Math.max(
      ...cells.map((cell, index) => {
        const column = columns[index];
        useFont(doc, header ? 'bold' : column?.mono ? 'mono' : 'regular').fontSize(fontSize);
        return doc.heightOfString(cell, { width: (widths[index] ?? 0) - 2 * padding });
      }),
    ) +
    2 * padding;

  const drawRow = (cells: readonly string[], header: boolean): void => {
    const height = rowHeight(cells, header);
    const top = doc.y;
    let x = MARGIN;
    if (header) doc.rect(MARGIN, top, width, height).fill(COLOURS.headerFill);
    cells.forEach((cell, index) => {
      const cellWidth = widths[index] ?? 0;
      const column = columns[index];
      useFont(doc, header ? 'bold' : column?.mono ? 'mono' : 'regular')
        .fontSize(fontSize)
        .fillColor(COLOURS.text);
      doc.text(cell, x + padding, top + padding, { width: cellWidth - 2 * padding });
      x += cellWidth;
    });
    doc.rect(MARGIN, top, width, height).lineWidth(0.5).strokeColor(COLOURS.rule).stroke();
    doc.x = MARGIN;
    doc.y = top + height;
  };

  const headers = columns.map((column) => column.header);
  const headerHeight = rowHeight(headers, true);
  const bodyRows = rows.map((cells) => cells.map(cellText));
  ensureSpace(doc, headerHeight + (bodyRows[0] ? rowHeight(bodyRows[0], false) : 0));
  drawRow(headers, true);
  for (const cells of bodyRows) {
    const height = rowHeight(cells, false);
    if (doc.y + height > bottomLimit(doc)) {
      doc.addPage();
      drawRow(headers, true);
    }
    drawRow(cells, false);
  }
  doc.moveDown(0.5);
}

function drawReport(doc: Doc, data: CaseReportData): void {
  const c = data.case;
  useFont(doc, 'bold').fontSize(17).fillColor(COLOURS.text);
  doc.text(`Case #${c.number}: ${c.name}`, MARGIN, MARGIN, { width: contentWidth(doc) });
  doc.moveDown(0.2);
  paragraph(
    doc,
    `TLP:${c.tlp} · PAP:${c.pap} · ${c.tenantName} · generated ${formatReportTime(data.generatedAt)} by ${data.generatedBy}`,
    { size: 9, colour: COLOURS.muted },
  );

  heading(doc, 'Fields');
  table(
    doc,
    [
      { header: 'Field', weight: 1 },
      { header: 'Value', weight: 3.2 },
    ],
    caseReportFieldRows(data),
    9,
  );

  heading(doc, 'Description');
  markdownText(doc, c.description);
  if (c.summary !== null) {
    heading(doc, 'Closing summary');
    markdownText(doc, c.summary);
  }

  heading(doc, `Alerts (${data.alerts.length})`);
  if (data.alerts.length === 0) emptyNote(doc, 'alerts');
  else {
    table(
      doc,
      [
        { header: 'Time (UTC)', weight: 1.35 },
        { header: 'Source', weight: 0.9 },
        { header: 'Reference', weight: 1.5, mono: true },
        { header: 'Title', weight: 2.6 },
        { header: 'Score', weight: 0.7 },
        { header: 'Status', weight: 0.8 },
        { header: 'Tactic / technique', weight: 1.2 },
      ],
      data.alerts.map((alert) => [
        formatReportTime(alert.timestamp).replace(' UTC', ''),
        alert.source,
        alert.sourceRef,
        alert.title,
        String(alert.score),
        alert.status,
        [alert.tactic, alert.technique].filter(Boolean).join(' / ') || '—',
      ]),
    );
  }

  heading(doc, `Tasks (${data.tasks.length})`);
  if (data.tasks.length === 0) emptyNote(doc, 'tasks');
  for (const [group, tasks] of tasksByGroup(data.tasks)) {
    subheading(doc, group);
    for (const task of tasks) drawTask(doc, task);
  }

  heading(doc, `Observables (${data.observables.length})`);
  if (data.observables.length === 0) emptyNote(doc, 'observables');
  else {
    table(
      doc,
      [
        { header: 'Type', weight: 1.1 },
        { header: 'Value', weight: 3.4, mono: true },
        { header: 'IOC', weight: 0.5 },
        { header: 'Sighted', weight: 0.9 },
        { header: 'TLP', weight: 0.9 },
        { header: 'Tags', weight: 1 },
        { header: 'Description', weight: 1.6 },
      ],
      data.observables.map((observable) => [
        observable.hashKind
          ? `${observable.dataType} (${observable.hashKind})`
          : observable.dataType,
        observable.value,
        observable.isIoc ? 'yes' : 'no',
        observable.sighted ? 'yes' : 'no',
        observable.tlp,
        observable.tags.join(', '),
        observable.description,
      ]),
    );
  }

  heading(doc, `Evidence (${data.evidence.length})`);
  if (data.evidence.length === 0) emptyNote(doc, 'evidence');
  else {
    table(
      doc,
      [
        { header: 'Name', weight: 1.6 },
        { header: 'Kind', weight: 0.6 },
        { header: 'Size', weight: 0.8 },
        { header: 'SHA-256 / URL', weight: 3.2, mono: true },
        { header: 'Added', weight: 1.4 },
        { header: 'By', weight: 1 },
      ],
      data.evidence.map((item) => [
        item.name,
        item.kind,
        formatReportSize(item.size),
        item.sha256 ?? item.url ?? '—',
        formatReportTime(item.createdAt),
        item.addedByName,
      ]),
    );
  }

  heading(doc, `Timeline (${data.timeline.length})`);
  if (data.timeline.length === 0) emptyNote(doc, 'timeline entries');
  else {
    table(
      doc,
      [
        { header: 'Time (UTC)', weight: 1.3 },
        { header: 'Kind', weight: 0.8 },
        { header: 'What', weight: 4 },
        { header: 'Who', weight: 1.2 },
      ],
      sortedTimeline(data).map((entry) => [
        formatReportTime(entry.at).replace(' UTC', ''),
        TIMELINE_KIND_LABELS[entry.kind],
        entry.summary,
        entry.actorName ?? '—',
      ]),
    );
  }

  heading(doc, `Comments (${data.comments.length})`);
  if (data.comments.length === 0) emptyNote(doc, 'comments');
  for (const comment of data.comments) {
    const edited =
      comment.editedAt === null ? '' : ` · edited ${formatReportTime(comment.editedAt)}`;
    doc.moveDown(0.3);
    paragraph(doc, `${comment.authorName} · ${formatReportTime(comment.createdAt)}${edited}`, {
      font: 'bold',
      size: 9,
    });
    markdownText(doc, comment.body);
  }
}

function drawTask(doc: Doc, task: ReportTask): void {
  doc.moveDown(0.3);
  paragraph(doc, task.title, { font: 'bold', size: 10 });
  const facts = [
    task.status,
    task.assigneeName === null ? 'unassigned' : `assigned to ${task.assigneeName}`,
    task.dueAt === null ? null : `due ${formatReportTime(task.dueAt)}`,
  ].filter((fact): fact is string => fact !== null);
  paragraph(doc, facts.join(' · '), { size: 8.5, colour: COLOURS.muted });
  if (task.description.trim() !== '') markdownText(doc, task.description);
  for (const log of task.logs) {
    doc.moveDown(0.2);
    paragraph(doc, `${log.authorName} · ${formatReportTime(log.createdAt)}`, {
      font: 'bold',
      size: 8.5,
      indent: 14,
    });
    markdownText(doc, log.body, 14);
    if (log.attachment !== null) {
      paragraph(doc, `Attachment: ${log.attachment.name}`, { size: 8.5, indent: 14 });
      paragraph(doc, `sha256 ${log.attachment.sha256}`, { font: 'mono', size: 8, indent: 14 });
    }
  }
}

/** "Page n of N" and the TLP marking on every page, drawn once all pages exist. */
function drawPageFurniture(doc: Doc, data: CaseReportData): void {
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index);
    // Writing in the bottom margin would make pdfkit start a new page: lift the margin meanwhile.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const width = contentWidth(doc);
    const footerY = doc.page.height - MARGIN;
    useFont(doc, 'regular').fontSize(8).fillColor(COLOURS.muted);
    doc.text(
      `Case #${data.case.number} · TLP:${data.case.tlp} · Watchfloor case report v${CASE_REPORT_FORMAT_VERSION}`,
      MARGIN,
      footerY,
      { width, align: 'left', lineBreak: false },
    );
    doc.text(`Page ${index - range.start + 1} of ${range.count}`, MARGIN, footerY, {
      width,
      align: 'right',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottomMargin;
  }
}
