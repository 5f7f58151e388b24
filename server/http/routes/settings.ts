import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { conditionNodeSchema } from '../../../shared/domain/conditions';
import {
  addCaseFilter,
  correlationSettingsPatchSchema,
  getCorrelationSettings,
  listCaseFilters,
  newCaseFilterSchema,
  removeCaseFilter,
  updateCorrelationSettings,
} from '../../ingest/correlation-settings';
import { principalOf, type AppContext } from '../context';
import { errorResponses } from './schemas';

const settingsSchema = z.object({
  timeoutMinutes: z.number(),
  alertsPerCase: z.number(),
  autoCreateCases: z.boolean(),
});

const caseFilterSchema = z.object({
  id: z.string(),
  name: z.string(),
  condition: conditionNodeSchema,
  enabled: z.boolean(),
  suppressedCount: z.number(),
  createdAt: z.number(),
});

const tenantParams = z.object({ tenant: z.string().min(1).max(200) });

/** Correlation settings and case filters per organisation (COR-2, COR-3, COR-5). */
export function registerSettingsRoutes(app: FastifyInstance, context: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const { db } = context;

  typed.get(
    '/api/v1/tenants/:tenant/correlation',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['settings'],
        summary: "A tenant's correlation settings",
        params: tenantParams,
        response: { 200: settingsSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => getCorrelationSettings(db, principalOf(request), request.params.tenant),
  );

  typed.put(
    '/api/v1/tenants/:tenant/correlation',
    {
      config: { access: { auth: 'any', permission: 'manageSettings' } },
      schema: {
        tags: ['settings'],
        summary: "Change a tenant's correlation settings (only the fields given)",
        params: tenantParams,
        body: correlationSettingsPatchSchema,
        response: { 200: settingsSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      updateCorrelationSettings(db, principalOf(request), request.params.tenant, request.body),
  );

  typed.get(
    '/api/v1/tenants/:tenant/case-filters',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['settings'],
        summary: "A tenant's case filters (COR-5)",
        params: tenantParams,
        response: { 200: z.array(caseFilterSchema), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => listCaseFilters(db, principalOf(request), request.params.tenant),
  );

  typed.post(
    '/api/v1/tenants/:tenant/case-filters',
    {
      config: { access: { auth: 'any', permission: 'manageSettings' } },
      schema: {
        tags: ['settings'],
        summary: 'Add a case filter: matching alerts create no case (COR-5)',
        params: tenantParams,
        body: newCaseFilterSchema,
        response: { 201: caseFilterSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await addCaseFilter(db, principalOf(request), request.params.tenant, request.body)),
  );

  typed.delete(
    '/api/v1/tenants/:tenant/case-filters/:id',
    {
      config: { access: { auth: 'any', permission: 'manageSettings' } },
      schema: {
        tags: ['settings'],
        summary: 'Remove a case filter',
        params: tenantParams.extend({ id: z.uuid() }),
        response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await removeCaseFilter(db, principalOf(request), request.params.tenant, request.params.id);
      return { ok: true as const };
    },
  );
}
