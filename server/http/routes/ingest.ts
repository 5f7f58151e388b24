import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ALERT_FORMATS } from '../../../shared/domain/ingest/build-alert';
import { ApiError, badRequest } from '../../errors';
import { ingestRecords, type IngestRecordResult } from '../../ingest/ingest';
import {
  MAX_RECORDS_PER_REQUEST,
  recordsOfJson,
  recordsOfNdjson,
  type RecordItem,
} from '../../ingest/records';
import { checkTheHiveAlert, theHive5Tlp, theHiveOutputAlert } from '../../ingest/thehive';
import { principalOf, type AppContext } from '../context';
import { errorResponses } from './schemas';

const recordResultSchema = z.object({
  index: z.number(),
  line: z.number().optional(),
  status: z.enum(['accepted', 'duplicate', 'skipped', 'error']),
  tenant: z.string().optional(),
  alertId: z.string().optional(),
  caseId: z.string().nullable().optional(),
  caseNumber: z.number().nullable().optional(),
  outcome: z.enum(['joined', 'created', 'suppressed', 'unlinked']).optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});

const batchSchema = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  skipped: z.number(),
  errors: z.number(),
  casesCreated: z.number(),
  casesUpdated: z.number(),
  results: z.array(recordResultSchema),
});

function tooMany(count: number): never {
  throw badRequest(
    `${count.toLocaleString('en-US')} records in one request; at most ${MAX_RECORDS_PER_REQUEST.toLocaleString('en-US')}`,
  );
}

export function registerIngestRoutes(app: FastifyInstance, context: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const { db } = context;

  typed.post(
    '/api/v1/alerts',
    {
      config: { access: { auth: 'any', permission: 'manageAlert' } },
      schema: {
        tags: ['alerts'],
        summary: 'Ingest alerts (SYN-7): one record, a JSON array, or NDJSON',
        description:
          'Formats are detected per record as the desktop importer does (ING-1): Watchfloor v1, Elastic Security (ECS), Suricata EVE, Wazuh, TheHive. Idempotent on (tenant, source, sourceRef): a resend answers `duplicate` with the stored alert. One record: 201 accepted, 200 duplicate, 400 with the reason. A batch (array or NDJSON): 200 with one result per record; the accepted ones are stored together or not at all.',
        querystring: z.object({
          format: z
            .enum(['auto', ...ALERT_FORMATS])
            .default('auto')
            .describe('force a format (default: detect)'),
        }),
        body: z.unknown(),
        response: {
          200: z.union([batchSchema, recordResultSchema]),
          201: recordResultSchema,
          ...errorResponses(400, 401, 403, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const format = request.query.format;
      let items: RecordItem[];
      let single = false;
      if (typeof request.body === 'string') {
        items = recordsOfNdjson(request.body, format);
        if (items.length === 0) throw badRequest('the NDJSON body holds no records');
      } else {
        if (Array.isArray(request.body) && request.body.length === 0) {
          throw badRequest('the JSON array holds no records');
        }
        single = !Array.isArray(request.body);
        items = recordsOfJson(request.body, format);
      }
      if (items.length > MAX_RECORDS_PER_REQUEST) tooMany(items.length);
      const summary = await ingestRecords(db, principal, items);
      if (single) {
        const result = summary.results[0] as IngestRecordResult;
        if (result.status === 'error' || result.status === 'skipped') {
          throw new ApiError(
            400,
            result.code ?? 'SKIPPED',
            result.message ?? 'the record is not an alert',
            {
              ...result,
            },
          );
        }
        return reply.status(result.status === 'accepted' ? 201 : 200).send(result);
      }
      return reply.status(200).send(summary);
    },
  );

  typed.post(
    '/api/v1/alert',
    {
      config: { access: { auth: 'any', permission: 'manageAlert', errorShape: 'thehive' } },
      schema: {
        tags: ['alerts'],
        summary: 'TheHive 5 compatible: create an alert (InputAlert with observables)',
        description:
          "TheHive 5's `POST /api/v1/alert`: answers TheHive's OutputAlert, 201 when created and 200 when source + sourceRef were already received (the stored alert). Errors are TheHive's `{type, message}`. `X-Organisation` names the tenant (TheHive's organisation header); the body's `tenant` field works too.",
        body: z.unknown(),
        response: {
          200: z.record(z.string(), z.unknown()),
          201: z.record(z.string(), z.unknown()),
          400: z.object({ type: z.string(), message: z.string() }),
          401: z.object({ type: z.string(), message: z.string() }),
          403: z.object({ type: z.string(), message: z.string() }),
          413: z.object({ type: z.string(), message: z.string() }),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const record = checkTheHiveAlert(request.body, Date.now());
      const organisation = request.headers['x-organisation'];
      const items = recordsOfJson(record, 'thehive');
      const item = items[0] as RecordItem;
      if (item.kind === 'alert') {
        const tenant =
          typeof organisation === 'string' && organisation !== '' ? organisation : record.tenant;
        if (typeof tenant === 'string' && tenant.trim() !== '') item.alert.tenant = tenant.trim();
        item.alert.tlp = theHive5Tlp(record) ?? item.alert.tlp;
      }
      const summary = await ingestRecords(db, principal, items);
      const result = summary.results[0] as IngestRecordResult;
      if (result.status === 'error' || result.status === 'skipped' || !result.alertId) {
        const status =
          result.code === 'UNKNOWN_TENANT' || result.code === 'RESERVED_TENANT' ? 403 : 400;
        return reply.status(status).send({
          type: status === 403 ? 'AuthorizationError' : 'BadRequest',
          message: result.message ?? 'the alert could not be read',
        });
      }
      const [tenantRow] = await db.query<{ tenant_id: string }>(
        'SELECT tenant_id FROM tenants WHERE name = $1',
        [result.tenant ?? ''],
      );
      const output = await theHiveOutputAlert(db, tenantRow?.tenant_id ?? '', result.alertId);
      return reply.status(result.status === 'accepted' ? 201 : 200).send(output);
    },
  );
}
