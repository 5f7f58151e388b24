import type { FastifyInstance } from 'fastify';
import { authenticate } from '../../auth/accounts';
import { inScope } from '../../auth/principal';
import { principalOf, type AppContext } from '../context';

/**
 * `GET /api/v1/events`: a Server-Sent Events stream of `change` events (tenant and change-log
 * sequence) for the tenants in the caller's scope, the poke sync clients wait on (issue 15).
 * It ends when the caller's credential is revoked, locked or killed, on whichever instance
 * that happened (EventHub hears it through PostgreSQL).
 */

interface OpenStream {
  userId: string;
  bearer: string;
  close: () => void;
}

export function registerEventRoutes(app: FastifyInstance, context: AppContext): void {
  const streams = new Set<OpenStream>();

  const recheck = async (stream: OpenStream): Promise<void> => {
    const still = await authenticate(context.db, stream.bearer).catch(() => null);
    if (!still) stream.close();
  };
  context.events.onSessionsRevoked((userId) => {
    for (const stream of streams) if (stream.userId === userId) void recheck(stream);
  });
  context.events.onListenerLost(() => {
    for (const stream of streams) void recheck(stream);
  });
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.close();
  });

  app.get(
    '/api/v1/events',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['events'],
        summary: 'Server-Sent Events: `change` {tenant, seq} for tenants in scope',
        produces: ['text/event-stream'],
      },
    },
    (request, reply) => {
      const principal = principalOf(request);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      raw.write(': watchfloor events\n\n');
      let closed = false;
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      heartbeat.unref();
      const stopChanges = context.events.onChange((notice) => {
        if (!inScope(principal, notice.tenant)) return;
        raw.write(`event: change\ndata: ${JSON.stringify(notice)}\n\n`);
      });
      const stream: OpenStream = {
        userId: principal.userId,
        bearer: request.bearer ?? '',
        close: () => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          stopChanges();
          streams.delete(stream);
          raw.end('event: end\ndata: {"reason":"closed"}\n\n');
        },
      };
      streams.add(stream);
      raw.on('close', () => stream.close());
    },
  );
}
