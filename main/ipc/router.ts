import type { z } from 'zod';
import {
  contract,
  isChannel,
  type Channel,
  type ChannelParsedRequest,
  type ChannelResponse,
  type IpcResult,
} from '../../shared/ipc/contract';
import { ServiceError } from './errors';

export type Handlers = {
  [C in Channel]: (
    request: ChannelParsedRequest<C>,
  ) => ChannelResponse<C> | Promise<ChannelResponse<C>>;
};

export interface Router {
  invoke(channel: unknown, payload: unknown): Promise<IpcResult<unknown>>;
}

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: i.path.length ? i.path.map(String).join('.') : '(request)',
    message: i.message,
  }));
}

/**
 * Validates every request against the contract before dispatch: a request that fails never
 * reaches a service and so changes nothing (issue 2, bad input).
 */
export function createRouter(handlers: Handlers, log: (msg: string) => void = () => {}): Router {
  return {
    async invoke(channel, payload) {
      if (!isChannel(channel)) {
        return {
          ok: false,
          error: { code: 'UNKNOWN_CHANNEL', message: `unknown channel ${JSON.stringify(channel)}` },
        };
      }
      const def = contract[channel];
      const parsed = def.request.safeParse(payload ?? {});
      if (!parsed.success) {
        const issues = issuesOf(parsed.error);
        return {
          ok: false,
          error: {
            code: 'BAD_REQUEST',
            message: `invalid request for ${channel}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
            issues,
          },
        };
      }
      try {
        const handler = handlers[channel] as (req: unknown) => unknown;
        const data = await handler(parsed.data);
        return { ok: true, data };
      } catch (err) {
        if (err instanceof ServiceError) {
          return {
            ok: false,
            error: {
              code: err.code,
              message: err.message,
              ...(err.position ? { position: err.position } : {}),
            },
          };
        }
        log(`${channel} failed: ${(err as Error).stack ?? String(err)}`);
        return { ok: false, error: { code: 'INTERNAL', message: (err as Error).message } };
      }
    },
  };
}
