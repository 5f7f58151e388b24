import { z } from 'zod';
import { renderInertMarkdown } from './markdown';
import { dataTypeSchema, hashKindSchema } from './observables';
import {
  alertStatusSchema,
  caseOutcomeSchema,
  caseSeveritySchema,
  caseStatusSchema,
  papSchema,
  taskStatusSchema,
  tlpSchema,
} from './types';

/**
 * The case report (CAS-5): one plain `CaseReportData` object, read from the store by main, and
 * three renderings of it — self-contained inert HTML and versioned JSON here, PDF in
 * main/reports/case-report-pdf.ts. The caller decides what the reader may see (CAS-7: hidden
 * assignees and comments are left out of the data, not hidden by the report). Times are epoch
 * milliseconds, shown in UTC: a report travels between time zones.
 */

/** Bumped when a field changes meaning or goes away; adding an optional field keeps it. */
export const CASE_REPORT_FORMAT_VERSION = 1;

const epochMs = z.number().int().nonnegative();
const tags = z.array(z.string());

export const reportCaseSchema = z.strictObject({
  id: z.string(),
  number: z.number().int(),
  tenantName: z.string(),
  name: z.string(),
  /** markdown */
  description: z.string(),
  status: caseStatusSchema,
  severity: caseSeveritySchema,
  score: z.number().int().min(0).max(100),
  outcome: caseOutcomeSchema.nullable(),
  summary: z.string().nullable(),
  creator: z.string(),
  assigneeName: z.string().nullable(),
  tags,
  tlp: tlpSchema,
  pap: papSchema,
  what: z.string().nullable(),
  who: z.string().nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
  closedAt: epochMs.nullable(),
  firstAlertAt: epochMs.nullable(),
  lastAlertAt: epochMs.nullable(),
});

export const reportAlertSchema = z.strictObject({
  id: z.string(),
  source: z.string(),
  sourceRef: z.string(),
  type: z.string(),
  title: z.string(),
  timestamp: epochMs,
  score: z.number().int().min(0).max(100),
  status: alertStatusSchema,
  tactic: z.string().nullable(),
  technique: z.string().nullable(),
  tags,
  entities: z.array(z.strictObject({ kind: z.string(), value: z.string() })),
});

export const reportTaskLogSchema = z.strictObject({
  id: z.string(),
  createdAt: epochMs,
  authorName: z.string(),
  /** markdown */
  body: z.string(),
  attachment: z
    .strictObject({ name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })
    .nullable(),
});

export const reportTaskSchema = z.strictObject({
  id: z.string(),
  group: z.string(),
  title: z.string(),
  /** markdown */
  description: z.string(),
  status: taskStatusSchema,
  assigneeName: z.string().nullable(),
  dueAt: epochMs.nullable(),
  order: z.number().int(),
  logs: z.array(reportTaskLogSchema),
});

export const reportObservableSchema = z.strictObject({
  id: z.string(),
  dataType: dataTypeSchema,
  value: z.string(),
  hashKind: hashKindSchema.nullable(),
  tlp: tlpSchema,
  pap: papSchema,
  isIoc: z.boolean(),
  sighted: z.boolean(),
  ignoreSimilarity: z.boolean(),
  tags,
  description: z.string(),
  createdAt: epochMs,
});

export const reportEvidenceSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(['file', 'link']),
  name: z.string(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  size: z.number().int().nonnegative().nullable(),
  mimeType: z.string().nullable(),
  url: z.string().nullable(),
  description: z.string(),
  addedByName: z.string(),
  createdAt: epochMs,
});

export const TIMELINE_ENTRY_KINDS = ['alert', 'task-log', 'comment', 'activity'] as const;
export const reportTimelineEntrySchema = z.strictObject({
  at: epochMs,
  kind: z.enum(TIMELINE_ENTRY_KINDS),
  /** One line: "Alert: Suspicious login", "Status New → In Progress" */
  summary: z.string(),
  actorName: z.string().nullable(),
});

export const reportCommentSchema = z.strictObject({
  id: z.string(),
  createdAt: epochMs,
  authorName: z.string(),
  /** markdown */
  body: z.string(),
  editedAt: epochMs.nullable(),
});

export const caseReportDataSchema = z.strictObject({
  generatedAt: epochMs,
  generatedBy: z.string(),
  case: reportCaseSchema,
  alerts: z.array(reportAlertSchema),
  tasks: z.array(reportTaskSchema),
  observables: z.array(reportObservableSchema),
  evidence: z.array(reportEvidenceSchema),
  timeline: z.array(reportTimelineEntrySchema),
  comments: z.array(reportCommentSchema),
});
export type CaseReportData = z.infer<typeof caseReportDataSchema>;
export type ReportTask = z.infer<typeof reportTaskSchema>;

/** The JSON report: the data with its format version, for machines (CAS-5). */
export const caseReportJsonSchema = caseReportDataSchema.extend({
  format: z.literal('watchfloor-case-report'),
  formatVersion: z.literal(CASE_REPORT_FORMAT_VERSION),
});
export type CaseReportJson = z.infer<typeof caseReportJsonSchema>;

export const CASE_REPORT_FORMATS = ['html', 'pdf', 'json'] as const;
export type CaseReportFormat = (typeof CASE_REPORT_FORMATS)[number];

/** `case-7228-report.pdf`: the number only, so a case name never becomes part of a path. */
export function caseReportFileName(caseNumber: number, format: CaseReportFormat): string {
  return `case-${caseNumber}-report.${format}`;
}

/** The JSON report text (validated, so a report never carries a field the schema does not name). */
export function renderCaseReportJson(data: CaseReportData): string {
  const report: CaseReportJson = caseReportJsonSchema.parse({
    format: 'watchfloor-case-report',
    formatVersion: CASE_REPORT_FORMAT_VERSION,
    ...data,
  });
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Reads a JSON report back; errors say which field is wrong. */
export function parseCaseReportJson(text: string): CaseReportJson {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`not a case report: not JSON: ${(error as Error).message}`);
  }
  const parsed = caseReportJsonSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`not a case report: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
}

// ---------------------------------------------------------------------------------------------
// Shared by the HTML and PDF renderings
// ---------------------------------------------------------------------------------------------

/** `2026-03-04 05:06:07 UTC`. */
export function formatReportTime(epochMilliseconds: number | null): string {
  if (epochMilliseconds === null) return '—';
  const iso = new Date(epochMilliseconds).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `1.5 MB`, `512 B`: decimal units, as file managers show them. */
export function formatReportSize(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The case's fields as label/value rows, in the order the report shows them. */
export function caseReportFieldRows(data: CaseReportData): Array<[string, string]> {
  const c = data.case;
  return [
    ['Number', `#${c.number}`],
    ['Name', c.name],
    ['Tenant', c.tenantName],
    ['Status', c.status],
    ['Severity', c.severity],
    ['Score', String(c.score)],
    ['Outcome', c.outcome ?? '—'],
    ['Assignee', c.assigneeName ?? '—'],
    ['Creator', c.creator],
    ['TLP', c.tlp],
    ['PAP', c.pap],
    ['Tags', c.tags.length > 0 ? c.tags.join(', ') : '—'],
    ['What', c.what ?? '—'],
    ['Who', c.who ?? '—'],
    ['Created', formatReportTime(c.createdAt)],
    ['Updated', formatReportTime(c.updatedAt)],
    ['Closed', formatReportTime(c.closedAt)],
    ['First alert', formatReportTime(c.firstAlertAt)],
    ['Last alert', formatReportTime(c.lastAlertAt)],
  ];
}

/** Tasks grouped as the Tasks tab shows them: groups in first-seen order, tasks by `order`. */
export function tasksByGroup(tasks: readonly ReportTask[]): Array<[string, ReportTask[]]> {
  const groups = new Map<string, ReportTask[]>();
  const sorted = [...tasks].sort((a, b) => a.order - b.order);
  for (const task of sorted) {
    const list = groups.get(task.group) ?? [];
    list.push(task);
    groups.set(task.group, list);
  }
  return [...groups.entries()];
}

/** Timeline entries oldest first; entries at the same time keep their given order. */
export function sortedTimeline(data: CaseReportData): CaseReportData['timeline'] {
  return [...data.timeline].sort((a, b) => a.at - b.at);
}

export const TIMELINE_KIND_LABELS: Record<(typeof TIMELINE_ENTRY_KINDS)[number], string> = {
  alert: 'Alert',
  'task-log': 'Task log',
  comment: 'Comment',
  activity: 'Activity',
};

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

/**
 * The report's CSP: nothing may load or run — no scripts, no images, no fonts, no frames, no
 * forms. The one inline <style> is allowed; it holds no url().
 */
export const CASE_REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; font-src 'none'; " +
  "script-src 'none'; object-src 'none'; frame-src 'none'; form-action 'none'; base-uri 'none'";

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** TLP 2.0 label colours (FIRST), as classes: the markup carries no inline styles. */
const TLP_CLASSES: Record<CaseReportData['case']['tlp'], string> = {
  CLEAR: 'tlp-clear',
  GREEN: 'tlp-green',
  AMBER: 'tlp-amber',
  'AMBER+STRICT': 'tlp-amber',
  RED: 'tlp-red',
};

const REPORT_STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: #1b1f24; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: #57606a; margin: 0 0 12px; }
.tlp { display: inline-block; background: #000; font-weight: 700; padding: 2px 8px;
  border-radius: 3px; margin-right: 6px; }
.tlp-clear { color: #ffffff; } .tlp-green { color: #33ff00; } .tlp-amber { color: #ffc000; }
.tlp-red { color: #ff2b2b; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; }
th, td { border: 1px solid #d0d7de; padding: 4px 6px; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
th { background: #f6f8fa; font-weight: 600; }
table.fields th { width: 160px; }
.mono, code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 12.5px; }
.mono { word-break: break-all; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; white-space: pre-wrap; }
.markdown h1, .markdown h2, .markdown h3, .markdown h4, .markdown h5, .markdown h6 {
  font-size: 14px; border: 0; margin: 10px 0 4px; padding: 0; }
.markdown > :first-child { margin-top: 0; }
.markdown > :last-child { margin-bottom: 0; }
.markdown blockquote { border-left: 3px solid #d0d7de; margin: 0; padding-left: 10px; color: #57606a; }
.align-right { text-align: right; }
.align-center { text-align: center; }
.task, .comment, .log { border: 1px solid #d0d7de; border-radius: 4px; padding: 8px 10px; margin: 8px 0; }
.log { margin-left: 16px; background: #fbfcfd; }
.muted { color: #57606a; }
.empty { color: #57606a; font-style: italic; }
footer { margin-top: 32px; color: #57606a; font-size: 12px; }
@media print { body { max-width: none; padding: 0; } tr, .task, .comment, .log { break-inside: avoid; } }
`;

function markdownBlock(source: string): string {
  return source.trim() === ''
    ? '<p class="empty">None.</p>'
    : `<div class="markdown">${renderInertMarkdown(source)}</div>`;
}

function table(headers: readonly string[], rows: readonly string[][], className?: string): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`);
  const classAttribute = className ? ` class="${className}"` : '';
  return `<table${classAttribute}><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function section(title: string, count: number | null, body: string): string {
  const heading = count === null ? title : `${title} (${count})`;
  return `<section><h2>${escapeHtml(heading)}</h2>${body}</section>`;
}

const empty = (what: string) => `<p class="empty">No ${escapeHtml(what)}.</p>`;
const text = (value: string | null) => escapeHtml(value ?? '—');
const mono = (value: string) => `<span class="mono">${escapeHtml(value)}</span>`;
const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/**
 * The HTML report (CAS-5): one self-contained file — inline CSS, no scripts, no external
 * resources, a CSP that forbids them anyway, every value escaped, markdown rendered through the
 * inert policy (shared/domain/markdown.ts).
 */
export function renderCaseReportHtml(input: CaseReportData): string {
  const data = caseReportDataSchema.parse(input);
  const c = data.case;
  const title = `Case #${c.number}: ${c.name}`;

  const fields = `<table class="fields"><tbody>${caseReportFieldRows(data)
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('')}</tbody></table>`;

  const summary =
    c.summary === null ? '' : section('Closing summary', null, markdownBlock(c.summary));

  const alerts =
    data.alerts.length === 0
      ? empty('alerts')
      : table(
          ['Time', 'Source', 'Reference', 'Title', 'Score', 'Status', 'Tactic / technique'],
          data.alerts.map((alert) => [
            escapeHtml(formatReportTime(alert.timestamp)),
            escapeHtml(alert.source),
            mono(alert.sourceRef),
            escapeHtml(alert.title),
            String(alert.score),
            escapeHtml(alert.status),
            escapeHtml([alert.tactic, alert.technique].filter(Boolean).join(' / ') || '—'),
          ]),
        );

  const tasks =
    data.tasks.length === 0
      ? empty('tasks')
      : tasksByGroup(data.tasks)
          .map(
            ([group, groupTasks]) =>
              `<h3>${escapeHtml(group)}</h3>${groupTasks.map(renderTaskHtml).join('')}`,
          )
          .join('');

  const observables =
    data.observables.length === 0
      ? empty('observables')
      : table(
          ['Type', 'Value', 'IOC', 'Sighted', 'TLP', 'PAP', 'Tags', 'Description'],
          data.observables.map((observable) => [
            escapeHtml(
              observable.hashKind
                ? `${observable.dataType} (${observable.hashKind})`
                : observable.dataType,
            ),
            mono(observable.value),
            yesNo(observable.isIoc),
            yesNo(observable.sighted),
            escapeHtml(observable.tlp),
            escapeHtml(observable.pap),
            escapeHtml(observable.tags.join(', ')),
            escapeHtml(observable.description),
          ]),
        );

  const evidence =
    data.evidence.length === 0
      ? empty('evidence')
      : table(
          ['Name', 'Kind', 'Type', 'Size', 'SHA-256 / URL', 'Added', 'By'],
          data.evidence.map((item) => [
            escapeHtml(item.name),
            escapeHtml(item.kind),
            text(item.mimeType),
            escapeHtml(formatReportSize(item.size)),
            // A link is shown, never linked: evidence URLs are often the malicious ones.
            mono(item.sha256 ?? item.url ?? '—'),
            escapeHtml(formatReportTime(item.createdAt)),
            escapeHtml(item.addedByName),
          ]),
        );

  const timeline =
    data.timeline.length === 0
      ? empty('timeline entries')
      : table(
          ['Time', 'Kind', 'What', 'Who'],
          sortedTimeline(data).map((entry) => [
            escapeHtml(formatReportTime(entry.at)),
            escapeHtml(TIMELINE_KIND_LABELS[entry.kind]),
            escapeHtml(entry.summary),
            text(entry.actorName),
          ]),
        );

  const comments =
    data.comments.length === 0
      ? empty('comments')
      : data.comments
          .map(
            (comment) =>
              `<div class="comment"><div class="muted">${escapeHtml(comment.authorName)} · ${escapeHtml(
                formatReportTime(comment.createdAt),
              )}${comment.editedAt === null ? '' : ` · edited ${escapeHtml(formatReportTime(comment.editedAt))}`}</div>${markdownBlock(comment.body)}</div>`,
          )
          .join('');

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CASE_REPORT_CSP)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta"><span class="tlp ${TLP_CLASSES[c.tlp]}">TLP:${escapeHtml(c.tlp)}</span>`,
    `PAP:${escapeHtml(c.pap)} · ${escapeHtml(c.tenantName)} · generated ${escapeHtml(
      formatReportTime(data.generatedAt),
    )} by ${escapeHtml(data.generatedBy)}</p>`,
    '</header>',
    section('Fields', null, fields),
    section('Description', null, markdownBlock(c.description)),
    summary,
    section('Alerts', data.alerts.length, alerts),
    section('Tasks', data.tasks.length, tasks),
    section('Observables', data.observables.length, observables),
    section('Evidence', data.evidence.length, evidence),
    section('Timeline', data.timeline.length, timeline),
    section('Comments', data.comments.length, comments),
    `<footer>Watchfloor case report, format version ${CASE_REPORT_FORMAT_VERSION}. Times are UTC.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function renderTaskHtml(task: ReportTask): string {
  const facts = [
    task.status,
    task.assigneeName === null ? 'unassigned' : `assigned to ${task.assigneeName}`,
    task.dueAt === null ? null : `due ${formatReportTime(task.dueAt)}`,
  ]
    .filter((fact): fact is string => fact !== null)
    .map(escapeHtml)
    .join(' · ');
  const description = task.description.trim() === '' ? '' : markdownBlock(task.description);
  const logs = task.logs
    .map((log) => {
      const attachment =
        log.attachment === null
          ? ''
          : `<div class="muted">Attachment: ${escapeHtml(log.attachment.name)} · sha256 ${mono(
              log.attachment.sha256,
            )}</div>`;
      return `<div class="log"><div class="muted">${escapeHtml(log.authorName)} · ${escapeHtml(
        formatReportTime(log.createdAt),
      )}</div>${markdownBlock(log.body)}${attachment}</div>`;
    })
    .join('');
  return `<div class="task"><strong>${escapeHtml(task.title)}</strong> <span class="muted">${facts}</span>${description}${logs}</div>`;
}
