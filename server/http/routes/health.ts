import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context';

const statusSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  reason: z.string().optional(),
});

/** /healthz: the process serves; /readyz: it can take traffic (database answers, not closing). */
export function registerHealthRoutes(app: FastifyInstance, context: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/healthz',
    {
      config: { access: { auth: 'none' } },
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        security: [],
        response: { 200: statusSchema },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  typed.get(
    '/readyz',
    {
      config: { access: { auth: 'none' } },
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers and the instance is not shutting down',
        security: [],
        response: { 200: statusSchema, 503: statusSchema },
      },
    },
    async (_request, reply) => {
      if (context.shuttingDown()) {
        return reply.status(503).send({ status: 'unavailable', reason: 'shutting down' });
      }
      try {
        await context.db.query('SELECT 1');
        return { status: 'ok' as const };
      } catch (error) {
        return reply.status(503).send({
          status: 'unavailable',
          reason: `database: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    },
  );
}
