import { z } from 'zod';
import {
  alertStatusSchema,
  caseOutcomeSchema,
  caseRowSchema,
  caseSortFieldSchema,
  caseStatusSchema,
  sortDirectionSchema,
} from '../domain/types';
import { conditionNodeSchema } from '../domain/conditions';

/**
 * Every call the UI can make (rule 3). Each channel has a zod request and response schema; main
 * validates requests before any service runs, and the renderer's client is typed from here.
 */

export const jobStatusSchema = z.enum([
  'Waiting',
  'In Progress',
  'Success',
  'Failure',
  'Cancelled',
  /** its process ended while it ran (issue 11.3): set on the next start */
  'Interrupted',
]);
export const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  status: jobStatusSchema,
  /** 0..1, or null when the total is unknown */
  progress: z.number().min(0).max(1).nullable(),
  message: z.string().nullable(),
  /** whether jobs.cancel can stop it now: a running job of this process whose kind stops between batches */
  cancellable: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Job = z.infer<typeof jobSchema>;

export const uiPreferencesSchema = z.object({
  theme: z.enum(['dark', 'light']),
  sidebarCollapsed: z.boolean(),
  demoOfferDismissed: z.boolean(),
});
export type UiPreferencesDto = z.infer<typeof uiPreferencesSchema>;

const empty = z.object({}).strict();

/** Case table columns (TBL-2): the defaults plus those the column chooser adds. */
export const CASE_COLUMNS = [
  'tenantName',
  'number',
  'name',
  'score',
  'severity',
  'creator',
  'what',
  'who',
  'assigneeName',
  'status',
  'tags',
  'createdAt',
  'updatedAt',
  'alertCount',
  'outcome',
  'closedAt',
  'tlp',
] as const;
export const caseColumnSchema = z.enum(CASE_COLUMNS);
export type CaseColumn = z.infer<typeof caseColumnSchema>;

/** What the table header and the CSV header call each column (TBL-2, TBL-7). */
export const CASE_COLUMN_LABELS: Readonly<Record<CaseColumn, string>> = {
  tenantName: 'Tenant',
  number: 'Case ID',
  name: 'Case Name',
  score: 'Score',
  severity: 'Severity',
  creator: 'Creator',
  what: 'What',
  who: 'Who',
  assigneeName: 'Assignee',
  status: 'Status',
  tags: 'Tags',
  createdAt: 'Created',
  updatedAt: 'Updated',
  alertCount: 'Alerts',
  outcome: 'Outcome',
  closedAt: 'Closed',
  tlp: 'TLP',
};

/** TBL-2 default columns; the first three are always shown. */
export const DEFAULT_CASE_COLUMNS: readonly CaseColumn[] = [
  'tenantName',
  'number',
  'name',
  'score',
  'severity',
  'creator',
  'what',
  'who',
  'assigneeName',
];
export const ALWAYS_SHOWN_CASE_COLUMNS: readonly CaseColumn[] = ['tenantName', 'number', 'name'];

/** QUE-2: the default queues have fixed ids, so every desktop and the server agree on them. */
export const DEFAULT_QUEUE_IDS = {
  allOpen: 'queue-all-open-cases',
  allClosed: 'queue-all-closed-cases',
} as const;
/** QUE-3: custom queues beyond this are refused (the default queues do not count). */
export const MAX_CUSTOM_QUEUES = 20;
/** TBL-7: a CSV export holds at most this many rows. */
export const MAX_CSV_EXPORT_ROWS = 100_000;

/** Queue date range (QUE-1): relative to now, or fixed. */
export const queueRangeSchema = z.union([
  z.object({ kind: z.literal('relative'), days: z.number().int().min(1).max(366) }).strict(),
  z.object({ kind: z.literal('absolute'), from: z.number(), to: z.number() }).strict(),
]);
export type QueueRange = z.infer<typeof queueRangeSchema>;

export const queueSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** null: all tenants in scope */
  tenantId: z.string().nullable(),
  condition: conditionNodeSchema,
  range: queueRangeSchema,
  isDefault: z.boolean(),
  pinned: z.boolean(),
  /** cases in the queue, from the membership index; null while (re-)indexing */
  count: z.number().int().nullable(),
});
export type QueueDto = z.infer<typeof queueSchema>;

export const queueDraftSchema = z
  .object({
    id: z.string().optional(),
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1000).default(''),
    tenantId: z.string().nullable().default(null),
    /** validated against the case field catalogue by the service */
    condition: z.unknown(),
    range: queueRangeSchema,
  })
  .strict();
export type QueueDraft = z.input<typeof queueDraftSchema>;

/**
 * What the case table shows (TBL-1..5): a queue, a Lucene query, filter conditions and a
 * Created At range on top, and a sort. The same view drives paging, bulk "all matching" and CSV.
 */
export const caseViewSchema = z.object({
  queueId: z.string().optional(),
  /** Lucene (TBL-4); an invalid one is refused with the offset of the problem */
  query: z.string().max(2000).optional(),
  /** filter chips (TBL-5) as one condition tree over case fields */
  filters: z.unknown().optional(),
  createdFrom: z.number().optional(),
  createdTo: z.number().optional(),
  sort: caseSortFieldSchema.default('updatedAt'),
  direction: sortDirectionSchema.default('desc'),
});
export type CaseView = z.input<typeof caseViewSchema>;

export const layoutKeySchema = z.enum(['cases.columns', 'cases.queuePanel', 'cases.lastQueue']);

export const alertRowSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  source: z.string(),
  sourceRef: z.string(),
  type: z.string(),
  title: z.string(),
  timestamp: z.number(),
  score: z.number().int(),
  tactic: z.string().nullable(),
  technique: z.string().nullable(),
  status: alertStatusSchema,
  suppressed: z.boolean(),
  caseNumber: z.number().int().nullable(),
  tags: z.array(z.string()),
});
export type AlertRow = z.infer<typeof alertRowSchema>;

export const alertDetailSchema = alertRowSchema.extend({
  description: z.string(),
  tacticName: z.string().nullable(),
  techniqueName: z.string().nullable(),
  tlp: z.string(),
  entities: z.array(z.object({ kind: z.string(), value: z.string() })),
  raw: z.unknown(),
  cases: z.array(
    z.object({
      id: z.string(),
      number: z.number().int(),
      name: z.string(),
      score: z.number().int(),
      severity: z.string(),
      status: z.string(),
    }),
  ),
  caseTotal: z.number().int(),
});
export type AlertDetailDto = z.infer<typeof alertDetailSchema>;

const alertIds = z.array(z.string().uuid()).min(1).max(10_000);
const caseRef = z.object({ caseId: z.string(), number: z.number().int() });

/** A file for alerts.importFiles: its path (desktop app) or its upload's id (browser mode). */
export const importFileRefSchema = z.union([
  z.object({ path: z.string().min(1).max(4096) }).strict(),
  z.object({ uploadId: z.string().uuid() }).strict(),
]);
export type ImportFileRef = z.infer<typeof importFileRefSchema>;
const ok = z.object({ ok: z.literal(true) });

export const contract = {
  'app.getInfo': {
    request: empty,
    response: z.object({
      version: z.string(),
      storePath: z.string(),
      mode: z.enum(['electron', 'web']),
      caseCount: z.number().int(),
      alertCount: z.number().int(),
      user: z.object({ id: z.string(), login: z.string(), displayName: z.string() }),
      preferences: uiPreferencesSchema,
    }),
  },
  'preferences.update': {
    request: uiPreferencesSchema.partial().strict(),
    response: uiPreferencesSchema,
  },
  'cases.list': {
    request: caseViewSchema
      .extend({
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(1000),
        withTotal: z.boolean().default(false),
      })
      .strict(),
    response: z.object({ rows: z.array(caseRowSchema), total: z.number().int().nullable() }),
  },
  // ---- Issue 4: queues, search, filters, bulk actions, export (QUE, TBL) ----
  'queues.list': { request: empty, response: z.array(queueSchema) },
  /** Checks a queue draft without saving: errors refuse it, warnings ask before saving (QUE-3/4/7). */
  'queues.validate': {
    request: queueDraftSchema,
    response: z.object({
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
      warnings: z.array(z.string()),
    }),
  },
  /** Creates (no id) or updates a queue, then re-indexes its membership as a job (QUE-5). */
  'queues.save': {
    request: queueDraftSchema,
    response: z.object({ queue: queueSchema, jobId: z.string() }),
  },
  'queues.remove': { request: z.object({ id: z.string() }).strict(), response: ok },
  'queues.pin': {
    request: z.object({ id: z.string(), pinned: z.boolean() }).strict(),
    response: ok,
  },
  /** TBL-6: one bulk change over selected ids or over everything matching a view; a job. */
  'cases.bulkUpdate': {
    request: z
      .object({
        selection: z.union([
          z.object({ ids: z.array(z.string().uuid()).min(1).max(100_000) }).strict(),
          z.object({ allMatching: caseViewSchema }).strict(),
        ]),
        status: caseStatusSchema.optional(),
        outcome: caseOutcomeSchema.optional(),
        summary: z.string().max(10_000).optional(),
        addTags: z.array(z.string().min(1).max(100)).max(50).optional(),
        /** a user id, or null to unassign */
        assignee: z.string().nullable().optional(),
      })
      .strict(),
    response: z.object({ jobId: z.string(), matched: z.number().int() }),
  },
  /** TBL-7: the view as CSV (at most 100,000 rows), written by a worker; a job. */
  'cases.exportCsv': {
    request: z
      .object({
        view: caseViewSchema,
        columns: z.array(caseColumnSchema).min(1),
        bom: z.boolean().default(false),
      })
      .strict(),
    response: z.object({
      jobId: z.string(),
      /** where the file is written (user-data exports folder) */
      path: z.string(),
      /** rows the view holds; more than 100,000 means the file is cut at 100,000 */
      matching: z.number().int(),
    }),
  },
  'users.list': {
    request: empty,
    response: z.array(z.object({ id: z.string(), login: z.string(), displayName: z.string() })),
  },
  'tags.list': { request: empty, response: z.array(z.string()) },
  /** Per-user layout state (column order, widths, visibility, pins; queue panel width). */
  'layout.get': { request: z.object({ key: layoutKeySchema }).strict(), response: z.unknown() },
  'layout.save': {
    request: z.object({ key: layoutKeySchema, value: z.unknown() }).strict(),
    response: ok,
  },
  'cases.get': {
    request: z.object({ id: z.string().uuid() }).strict(),
    response: caseRowSchema.nullable(),
  },
  'demo.load': {
    request: z
      .object({
        alerts: z.number().int().min(1).max(2_000_000),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1),
      })
      .strict(),
    response: z.object({ jobId: z.string() }),
  },
  'alerts.list': {
    request: z
      .object({
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(1000),
        sort: z.enum(['timestamp', 'score']).default('timestamp'),
        direction: sortDirectionSchema.default('desc'),
        status: alertStatusSchema.optional(),
        withTotal: z.boolean().default(false),
      })
      .strict(),
    response: z.object({ rows: z.array(alertRowSchema), total: z.number().int().nullable() }),
  },
  'alerts.get': {
    /** ALR-2: five cases by score, or all of them (at most 500) for "View all (n)" */
    request: z.object({ id: z.string().uuid(), allCases: z.boolean().default(false) }).strict(),
    response: alertDetailSchema.nullable(),
  },
  /** ALR-3 */
  'alerts.import': { request: z.object({ id: z.string().uuid() }).strict(), response: caseRef },
  /** ALR-5 */
  'alerts.newCase': { request: z.object({ ids: alertIds }).strict(), response: caseRef },
  /** ALR-4 */
  'alerts.mergeIntoCase': {
    request: z
      .object({
        ids: alertIds,
        caseNumber: z.number().int().min(1),
        confirmClosed: z.boolean().default(false),
      })
      .strict(),
    response: caseRef.extend({ added: z.number().int() }),
  },
  /** TBL-3: the alerts of a case ("… and N others"), newest first, at most 500 */
  'cases.alerts': {
    request: z.object({ id: z.string().uuid() }).strict(),
    response: z.object({ rows: z.array(alertRowSchema), total: z.number().int() }),
  },
  'cases.getByNumber': {
    request: z.object({ number: z.number().int().min(1) }).strict(),
    response: caseRowSchema.nullable(),
  },
  /**
   * ALR-6: files chosen or dropped in the UI, imported by a worker-thread job that reads them from
   * disk (issue 11.3: never their text over IPC). The desktop app names each file's path; browser
   * mode uploads each first (shared/ipc/upload.ts) and names the upload.
   */
  'alerts.importFiles': {
    request: z.object({ files: z.array(importFileRefSchema).min(1).max(50) }).strict(),
    response: z.object({ jobId: z.string() }),
  },
  'jobs.list': { request: empty, response: z.array(jobSchema) },
  'jobs.dismiss': { request: z.object({ id: z.string() }).strict(), response: ok },
  /**
   * NFR-2: stops a running import, re-index, export, bulk edit or demo load after its current
   * batch; the job ends Cancelled, saying what was done. Answers with the job as it is now.
   */
  'jobs.cancel': { request: z.object({ id: z.string() }).strict(), response: jobSchema },
  'jobs.clearFinished': { request: empty, response: ok },
} as const;

/** Events main pushes to the renderer (subscribe returns its unsubscribe). */
export const events = {
  'jobs.changed': jobSchema,
  'data.changed': z.object({ entity: z.enum(['case', 'alert']) }),
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ChannelRequest<C extends Channel> = z.input<Contract[C]['request']>;
export type ChannelParsedRequest<C extends Channel> = z.output<Contract[C]['request']>;
export type ChannelResponse<C extends Channel> = z.output<Contract[C]['response']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const CHANNELS = Object.keys(contract) as Channel[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

export const ipcErrorCodeSchema = z.enum([
  'UNKNOWN_CHANNEL',
  'BAD_REQUEST',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'INTERNAL',
]);
export type IpcErrorCode = z.infer<typeof ipcErrorCodeSchema>;

export interface IpcErrorBody {
  code: IpcErrorCode;
  message: string;
  issues?: { path: string; message: string }[];
  /** where in a query string the problem is (an invalid Lucene query, TBL-4) */
  position?: { offset: number; length: number };
}

/** What crosses the boundary: plain, serialisable data (rule 12). */
export type IpcResult<T> = { ok: true; data: T } | { ok: false; error: IpcErrorBody };

/**
 * The API preload (Electron) and the web adapter (browser mode) both expose on window.
 * `FileHandle` is the DOM's File there (shared/ itself knows no DOM types).
 */
export interface WatchfloorApi<FileHandle = unknown> {
  invoke<C extends Channel>(
    channel: C,
    request: ChannelRequest<C>,
  ): Promise<IpcResult<ChannelResponse<C>>>;
  subscribe<E extends EventName>(
    event: E,
    listener: (payload: EventPayload<E>) => void,
  ): () => void;
  /**
   * A file the user chose or dropped, as alerts.importFiles names it: its path in the desktop
   * app (Electron's webUtils), an upload in browser mode. Its text is never read into a string.
   */
  importableFile(file: FileHandle): Promise<IpcResult<ImportFileRef>>;
}
