/**
 * A refusal with an HTTP status, a stable code and a message that says what was wrong and
 * where. Services throw it; the HTTP layer turns it into `{error: {code, message, details}}`
 * (or TheHive's `{type, message}` on the TheHive-compatible route).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new ApiError(400, 'BAD_REQUEST', message, details);
export const unauthorized = (message: string) => new ApiError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new ApiError(409, 'CONFLICT', message, details);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(
    429,
    'TOO_MANY_REQUESTS',
    message,
    { retryAfterSeconds },
    {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    },
  );
