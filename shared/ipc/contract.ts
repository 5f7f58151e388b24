import { z } from 'zod';
import {
  alertStatusSchema,
  caseRowSchema,
  caseSortFieldSchema,
  sortDirectionSchema,
} from '../domain/types';

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
]);
export const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  status: jobStatusSchema,
  /** 0..1, or null when the total is unknown */
  progress: z.number().min(0).max(1).nullable(),
  message: z.string().nullable(),
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

/** Largest upload through browser mode or IPC; bigger files go through the CLI. */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;
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
    request: z
      .object({
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(1000),
        sort: caseSortFieldSchema.default('updatedAt'),
        direction: sortDirectionSchema.default('desc'),
        withTotal: z.boolean().default(false),
      })
      .strict(),
    response: z.object({ rows: z.array(caseRowSchema), total: z.number().int().nullable() }),
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
  'cases.getByNumber': {
    request: z.object({ number: z.number().int().min(1) }).strict(),
    response: caseRowSchema.nullable(),
  },
  /** ALR-6: files chosen or dropped in the UI, imported by a worker-thread job */
  'alerts.importFiles': {
    request: z
      .object({
        files: z
          .array(
            z.object({
              name: z.string().min(1).max(255),
              content: z.string().max(MAX_IMPORT_BYTES),
            }),
          )
          .min(1)
          .max(50),
      })
      .strict(),
    response: z.object({ jobId: z.string() }),
  },
  'jobs.list': { request: empty, response: z.array(jobSchema) },
  'jobs.dismiss': { request: z.object({ id: z.string() }).strict(), response: ok },
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
}

/** What crosses the boundary: plain, serialisable data (rule 12). */
export type IpcResult<T> = { ok: true; data: T } | { ok: false; error: IpcErrorBody };

/** The API preload (Electron) and the web adapter (browser mode) both expose on window. */
export interface WatchfloorApi {
  invoke<C extends Channel>(
    channel: C,
    request: ChannelRequest<C>,
  ): Promise<IpcResult<ChannelResponse<C>>>;
  subscribe<E extends EventName>(
    event: E,
    listener: (payload: EventPayload<E>) => void,
  ): () => void;
}
