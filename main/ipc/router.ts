import type { z } from 'zod';
import {
  contract,
  isChannel,
  type Channel,
  type ChannelParsedRequest,
  type ChannelResponse,
  type IpcResult,
} from '../../shared/ipc/contract';
import { MAX_CONDITION_DEPTH } from '../../shared/domain/conditions';
import { ServiceError } from '../service-error';

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
 * How deeply objects and arrays may nest in a request. The deepest legitimate one is a condition
 * tree at its depth limit: two levels per group (the group, its children), inside a view.
 */
export const MAX_REQUEST_DEPTH = 2 * MAX_CONDITION_DEPTH + 8;
/** Objects, arrays and values in one request; far above any real one (an id list, a layout). */
export const MAX_REQUEST_VALUES = 1_000_000;

interface Visit {
  value: unknown;
  depth: number;
  key: string | number | null;
  parent: Visit | null;
}

/**
 * Why a request is too deep or too large for zod to walk, or null. Zod recurses once per level,
 * so a payload nested 5,000 deep overflowed the stack and came back as INTERNAL (issue 11.7);
 * this walks with an explicit stack. The value count also ends the walk on a structured-clone
 * payload whose objects are shared or cyclic (over WebSocket JSON they cannot be).
 */
export function requestShapeProblem(payload: unknown): { path: string; message: string } | null {
  const stack: Visit[] = [{ value: payload, depth: 0, key: null, parent: null }];
  let values = 0;
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    values += 1;
    const { value } = visit;
    if (typeof value !== 'object' || value === null) continue;
    const depth = visit.depth + 1;
    if (depth > MAX_REQUEST_DEPTH) {
      return {
        path: pathOf(visit),
        message: `the request is nested more than ${MAX_REQUEST_DEPTH} levels deep`,
      };
    }
    // Counted before they are stacked, so one huge array cannot fill memory with visits.
    const keys = Array.isArray(value) ? null : Object.keys(value);
    const size = keys ? keys.length : (value as unknown[]).length;
    if (values + stack.length + size > MAX_REQUEST_VALUES) {
      return {
        path: pathOf(visit),
        message: `the request holds more than ${MAX_REQUEST_VALUES.toLocaleString('en-US')} values`,
      };
    }
    for (let i = size - 1; i >= 0; i--) {
      const key = keys ? (keys[i] as string) : i;
      stack.push({
        value: (value as Record<string | number, unknown>)[key],
        depth,
        key,
        parent: visit,
      });
    }
  }
  return null;
}

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | null = visit; at && at.key !== null; at = at.parent)
    keys.push(String(at.key));
  return keys.length === 0 ? '(request)' : keys.reverse().join('.');
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
      const shapeProblem = requestShapeProblem(payload);
      if (shapeProblem) {
        const where =
          shapeProblem.path.length > 60 ? `${shapeProblem.path.slice(0, 60)}…` : shapeProblem.path;
        return {
          ok: false,
          error: {
            code: 'BAD_REQUEST',
            message: `invalid request for ${channel}: ${shapeProblem.message} (at ${where})`,
            issues: [shapeProblem],
          },
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
