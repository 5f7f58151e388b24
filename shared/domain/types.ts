import { z } from 'zod';

/** Enumerations of the §1 data model, shared by main, renderer and server. */

export const CASE_STATUSES = ['New', 'In Progress', 'Escalated', 'Resolved', 'Cancelled'] as const;
export const caseStatusSchema = z.enum(CASE_STATUSES);
export type CaseStatus = z.infer<typeof caseStatusSchema>;
export const OPEN_CASE_STATUSES: readonly CaseStatus[] = ['New', 'In Progress', 'Escalated'];
export const CLOSED_CASE_STATUSES: readonly CaseStatus[] = ['Resolved', 'Cancelled'];

export const CASE_SEVERITIES = ['Critical', 'High', 'Medium', 'Low'] as const;
export const caseSeveritySchema = z.enum(CASE_SEVERITIES);
export type CaseSeverity = z.infer<typeof caseSeveritySchema>;

export const CASE_OUTCOMES = ['True Positive', 'False Positive', 'Indeterminate', 'Other'] as const;
export const caseOutcomeSchema = z.enum(CASE_OUTCOMES);
export type CaseOutcome = z.infer<typeof caseOutcomeSchema>;

export const ALERT_STATUSES = ['New', 'Imported', 'Ignored', 'Closed'] as const;
export const alertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

export const TASK_STATUSES = ['Waiting', 'In Progress', 'Completed', 'Cancelled'] as const;
export const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

/** TLP 2.0 and PAP. */
export const TLP_VALUES = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export const tlpSchema = z.enum(TLP_VALUES);
export type Tlp = z.infer<typeof tlpSchema>;
export const PAP_VALUES = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
export const papSchema = z.enum(PAP_VALUES);
export type Pap = z.infer<typeof papSchema>;

/** Entity kinds carried by alerts and collected on cases (correlation keys, COR-1). */
export const ENTITY_KINDS = ['host', 'user', 'ip', 'domain', 'hash', 'email', 'url'] as const;
export const entityKindSchema = z.enum(ENTITY_KINDS);
export type EntityKind = z.infer<typeof entityKindSchema>;

export const OBSERVABLE_TYPES = [
  'ip',
  'domain',
  'fqdn',
  'url',
  'mail',
  'mail-subject',
  'hash',
  'filename',
  'file',
  'registry',
  'user-agent',
  'hostname',
  'user',
  'uri_path',
  'autonomous-system',
  'other',
] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

export const USER_SCOPES = ['root', 'partner', 'tenant'] as const;
export type UserScope = (typeof USER_SCOPES)[number];

export const PERMISSIONS = [
  'manageUser',
  'manageCase',
  'manageAlert',
  'manageSettings',
  'manageQueue',
  'manageWorkflow',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The reserved platform organisation (ADM-1): holds no cases or alerts. */
export const ADMIN_TENANT_NAME = 'admin';
/** The tenant alerts land in when they name none. */
export const DEFAULT_TENANT_NAME = 'default';
/** Creator of automatic cases (COR-1). */
export const SYSTEM_CREATOR = 'System';

/** An entity as carried by an alert: kind + normalized value. */
export const entityRefSchema = z.object({ kind: entityKindSchema, value: z.string().min(1) });
export type EntityRef = z.infer<typeof entityRefSchema>;

/** A case row as the case table and the CLI see it. Times are epoch milliseconds. */
export const caseRowSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  tenantId: z.string(),
  tenantName: z.string(),
  name: z.string(),
  score: z.number().int(),
  severity: caseSeveritySchema,
  status: caseStatusSchema,
  outcome: caseOutcomeSchema.nullable(),
  creator: z.string(),
  assignee: z.string().nullable(),
  assigneeName: z.string().nullable(),
  what: z.string().nullable(),
  who: z.string().nullable(),
  tags: z.array(z.string()),
  tlp: tlpSchema,
  alertCount: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
  closedAt: z.number().nullable(),
  firstAlertAt: z.number().nullable(),
  lastAlertAt: z.number().nullable(),
});
export type CaseRow = z.infer<typeof caseRowSchema>;

/** Columns of the case table that the store can sort through an index (TBL-2). */
export const CASE_SORT_FIELDS = [
  'number',
  'name',
  'score',
  'severity',
  'status',
  'creator',
  'assigneeName',
  'alertCount',
  'createdAt',
  'updatedAt',
  'what',
] as const;
export const caseSortFieldSchema = z.enum(CASE_SORT_FIELDS);
export type CaseSortField = z.infer<typeof caseSortFieldSchema>;

export const sortDirectionSchema = z.enum(['asc', 'desc']);
export type SortDirection = z.infer<typeof sortDirectionSchema>;
