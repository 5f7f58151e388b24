import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { conditionNodeSchema } from '../../../shared/domain/conditions';
import {
  ALERT_STATUSES,
  CASE_SORT_FIELDS,
  caseSortFieldSchema,
  sortDirectionSchema,
  type CaseSortField,
  type SortDirection,
} from '../../../shared/domain/types';
import { badRequest } from '../../errors';
import { listAlerts } from '../../read/alerts';
import { getCase, listCases } from '../../read/cases';
import { createQueue, listQueues, newQueueSchema } from '../../read/queues';
import { principalOf, type AppContext } from '../context';
import { errorResponses } from './schemas';

const limitSchema = z.coerce.number().int().min(1).max(1000).default(100);
const booleanQuery = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((value) => value === 'true' || value === '1');

/** `field:dir` as the desktop CLI's --sort takes it (`score:desc`), or `field` (descending). */
function parseSort(text: string | undefined): { sort: CaseSortField; direction: SortDirection } {
  if (text === undefined || text === '') return { sort: 'updatedAt', direction: 'desc' };
  const [field, dir = 'desc'] = text.split(':');
  const sort = caseSortFieldSchema.safeParse(field);
  const direction = sortDirectionSchema.safeParse(dir);
  if (!sort.success || !direction.success) {
    throw badRequest(
      `sort: '${text}' is not field:asc|desc with a field of ${CASE_SORT_FIELDS.join(', ')}`,
    );
  }
  return { sort: sort.data, direction: direction.data };
}

const caseEntrySchema = z.object({
  id: z.string(),
  number: z.number(),
  name: z.string(),
  score: z.number(),
  severity: z.string(),
  status: z.string(),
  assignee: z.string().nullable(),
  alertCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  tenant: z.string(),
  alertRefs: z.array(z.string()).optional(),
});

const queueSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tenant: z.string().nullable(),
  isDefault: z.boolean(),
  condition: conditionNodeSchema,
  count: z.number(),
});

export function registerReadRoutes(app: FastifyInstance, context: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const { db } = context;

  typed.get(
    '/api/v1/cases',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['cases'],
        summary: 'Cases in your scope: the desktop Lucene query and sort, keyset-paged',
        querystring: z.object({
          query: z
            .string()
            .max(2000)
            .optional()
            .describe("Lucene, e.g. 'severity:(High OR Critical) AND phishing'"),
          sort: z
            .string()
            .max(40)
            .optional()
            .describe(`field:asc|desc, field one of ${CASE_SORT_FIELDS.join(', ')}`),
          limit: limitSchema,
          cursor: z.string().max(2000).optional(),
          withAlerts: booleanQuery,
          queue: z.string().max(200).optional().describe('a queue id or name (GET /api/v1/queues)'),
          tenant: z.string().max(200).optional(),
        }),
        response: {
          200: z.object({ cases: z.array(caseEntrySchema), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const { sort, direction } = parseSort(request.query.sort);
      return listCases(db, principalOf(request), {
        query: request.query.query,
        sort,
        direction,
        limit: request.query.limit,
        cursor: request.query.cursor,
        withAlerts: request.query.withAlerts,
        queue: request.query.queue,
        tenant: request.query.tenant,
      });
    },
  );

  typed.get(
    '/api/v1/cases/:number',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['cases'],
        summary: 'One case by its number, with its alerts',
        params: z.object({ number: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
        querystring: z.object({ tenant: z.string().max(200).optional() }),
        response: { 200: z.record(z.string(), z.unknown()), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) =>
      getCase(db, principalOf(request), request.params.number, request.query.tenant),
  );

  typed.get(
    '/api/v1/alerts',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts in your scope, newest first, keyset-paged',
        querystring: z.object({
          limit: limitSchema,
          cursor: z.string().max(2000).optional(),
          status: z.enum(ALERT_STATUSES).optional(),
          source: z.string().max(500).optional(),
          sourceRef: z.string().max(500).optional(),
          tenant: z.string().max(200).optional(),
          withRaw: booleanQuery,
        }),
        response: {
          200: z.object({
            alerts: z.array(z.record(z.string(), z.unknown())),
            nextCursor: z.string().nullable(),
          }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => listAlerts(db, principalOf(request), request.query),
  );

  typed.get(
    '/api/v1/queues',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['queues'],
        summary: 'Queues (QUE-1, QUE-2) with the number of cases in each',
        response: { 200: z.array(queueSchema), ...errorResponses(401) },
      },
    },
    async (request) => listQueues(db, principalOf(request)),
  );

  typed.post(
    '/api/v1/queues',
    {
      config: { access: { auth: 'any', permission: 'manageQueue' } },
      schema: {
        tags: ['queues'],
        summary:
          'Create a queue of a tenant (root users: of the admin organisation, spanning every tenant)',
        body: newQueueSchema,
        response: { 201: queueSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createQueue(db, principalOf(request), request.body)),
  );
}
