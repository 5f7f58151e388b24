import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { authenticate } from '../auth/accounts';
import { can } from '../auth/principal';
import { ApiError } from '../errors';
import { newId } from '../store/ids';
import type { AppContext, RouteAccess, RouteEntry } from './context';
import { registerAccountRoutes } from './routes/accounts';
import { registerEventRoutes } from './routes/events';
import { registerHealthRoutes } from './routes/health';
import { registerIngestRoutes } from './routes/ingest';
import { registerReadRoutes } from './routes/read';
import { registerSettingsRoutes } from './routes/settings';

/**
 * The HTTP surface (issue 14 §8). Every route declares its access in `config.access`: the
 * onRequest hook authenticates the bearer (session token or API key) and checks the route's
 * permission before the body is read, so an unauthenticated or unauthorized client never costs
 * a body parse. Errors are `{error: {code, message, details?}}` with a status that says what
 * was wrong; the TheHive-compatible route answers in TheHive's `{type, message}`.
 */

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface BuildAppOptions {
  logger?: boolean | { level: string };
  tls?: TlsFiles | undefined;
}

const THEHIVE_ERROR_TYPES: Record<number, string> = {
  400: 'BadRequest',
  401: 'AuthenticationError',
  403: 'AuthorizationError',
  404: 'NotFoundError',
  409: 'ConflictError',
  413: 'BadRequest',
  415: 'BadRequest',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
}

function describeError(
  error: FastifyError | ApiError | Error,
  context: AppContext,
): { status: number; code: string; message: string; details?: Record<string, unknown> } {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => {
      const where = `${error.validationContext ?? 'request'}${issue.instancePath ? issue.instancePath.replace(/\//g, '.') : ''}`;
      return `${where}: ${issue.message}`;
    });
    return { status: 400, code: 'BAD_REQUEST', message: issues.join('; ') };
  }
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `the request body is larger than the ${megabytes(context.settings.bodyLimitBytes)} limit: send fewer records per request`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'send application/json (one record or an array) or application/x-ndjson',
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY': {
      const cause = (error as { cause?: unknown }).cause;
      const detail = cause instanceof Error ? `: ${cause.message}` : '';
      return {
        status: 400,
        code: 'MALFORMED_JSON',
        message: `the body is not valid JSON${detail}`,
      };
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'BAD_REQUEST', message: 'the JSON body is empty' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        status: 400,
        code: 'BAD_REQUEST',
        message: 'Content-Length does not match the body',
      };
    default:
      break;
  }
  if (fastifyError.statusCode === 400 && error instanceof SyntaxError) {
    return { status: 400, code: 'MALFORMED_JSON', message: `malformed JSON: ${error.message}` };
  }
  if (
    fastifyError.statusCode !== undefined &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return { status: fastifyError.statusCode, code: 'BAD_REQUEST', message: fastifyError.message };
  }
  return {
    status: 500,
    code: 'INTERNAL',
    message: 'internal error; the request changed nothing (see the server log for its request id)',
  };
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: Error,
  context: AppContext,
): void {
  const described = describeError(error, context);
  if (described.status >= 500 || isResponseSerializationError(error)) {
    request.log.error({ err: error }, 'request failed');
  } else {
    request.log.info({ status: described.status, code: described.code }, described.message);
  }
  if (error instanceof ApiError && error.headers) reply.headers(error.headers);
  reply.status(described.status);
  if (request.routeOptions.config.access?.errorShape === 'thehive') {
    void reply.send({
      type: THEHIVE_ERROR_TYPES[described.status] ?? 'BadRequest',
      message: described.message,
    });
    return;
  }
  void reply.send({
    error: {
      code: described.code,
      message: described.message,
      ...(described.details ? { details: described.details } : {}),
    },
  });
}

export async function buildApp(
  context: AppContext,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: context.settings.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => newId(),
    // finish in-flight requests on close; refuse new ones with 503 meanwhile
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...(options.tls
      ? {
          https: {
            cert: readFileSync(options.tls.certFile),
            key: readFileSync(options.tls.keyFile),
          },
        }
      : {}),
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const routes: RouteEntry[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: RouteAccess } | undefined)?.access;
    if (!access || route.url.startsWith('/api/docs')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      if (method !== 'HEAD') routes.push({ method, url: route.url, access });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Watchfloor server',
        version: '1',
        description:
          'Accounts, alert ingestion (Watchfloor v1, ECS, Suricata, Wazuh, TheHive), correlation and the read API. Authenticate with `Authorization: Bearer <session token or API key>`.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.decorateRequest('principal', null);
  app.decorateRequest('bearer', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const access = request.routeOptions.config.access;
    if (!access) return; // 404s and the docs
    if (access.auth === 'none') return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        header === ''
          ? 'missing Authorization: Bearer <token or API key>'
          : 'Authorization must be "Bearer <token or API key>"',
      );
    }
    const bearer = match[1] as string;
    const principal = await authenticate(context.db, bearer);
    if (!principal) {
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        'the token or API key is unknown, revoked or expired, or its user is locked',
      );
    }
    if (access.auth === 'session' && principal.via !== 'session') {
      throw new ApiError(
        403,
        'FORBIDDEN',
        'this needs a signed-in session (POST /api/v1/auth/login), not an API key',
      );
    }
    if (access.permission && !can(principal, access.permission)) {
      throw new ApiError(
        403,
        'FORBIDDEN',
        `the ${principal.profile} profile of '${principal.login}' lacks the ${access.permission} permission`,
      );
    }
    request.principal = principal;
    request.bearer = bearer;
  });

  // While shutting down, a keep-alive connection closes after its response, so close() does
  // not wait for the client's idle timeout once the requests in flight are done.
  app.addHook('onSend', async (_request, reply) => {
    if (context.shuttingDown()) reply.header('connection', 'close');
  });

  app.setErrorHandler((error, request, reply) =>
    sendError(request, reply, error as Error, context),
  );
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `no route ${request.method} ${request.url.split('?')[0]} (see /api/docs)`,
      },
    });
  });

  // NDJSON bodies (what SIEM exports write) arrive as text and are split per line.
  app.addContentTypeParser(
    ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'text/plain'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );

  registerHealthRoutes(app, context);
  registerAccountRoutes(app, context);
  registerIngestRoutes(app, context);
  registerReadRoutes(app, context);
  registerSettingsRoutes(app, context);
  registerEventRoutes(app, context);

  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}
