import { z } from 'zod';
import { badRequest } from '../errors';

/**
 * Keyset cursors: the sort, its direction and the last row's (sort value, id), as opaque
 * base64url JSON. A page continues after that row whatever was inserted meanwhile, and costs
 * one index seek however deep it is (no OFFSET walk).
 */
const cursorSchema = z.object({
  sort: z.string(),
  direction: z.enum(['asc', 'desc']),
  value: z.union([z.string(), z.number()]),
  id: z.uuid(),
});
export type Cursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(text: string, sort: string, direction: 'asc' | 'desc'): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('cursor: not a cursor of this API (pass nextCursor as it was returned)');
  }
  const checked = cursorSchema.safeParse(parsed);
  if (!checked.success) {
    throw badRequest('cursor: not a cursor of this API (pass nextCursor as it was returned)');
  }
  if (checked.data.sort !== sort || checked.data.direction !== direction) {
    throw badRequest(
      `cursor: it continues a list sorted by ${checked.data.sort}:${checked.data.direction}, not ${sort}:${direction}`,
    );
  }
  return checked.data;
}
