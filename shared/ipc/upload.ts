import { z } from 'zod';

/**
 * Browser mode's file upload (issue 11.3): the page POSTs a chosen or dropped file's bytes to
 * UPLOAD_PATH (the browser streams them from disk), the server streams them to a private
 * temporary file and answers its upload id, which `alerts.importFiles` then names. The token
 * travels in a header (never in a URL), and the server checks it and the Origin as it does for
 * the WebSocket.
 */
export const UPLOAD_PATH = '/upload';
export const UPLOAD_TOKEN_HEADER = 'x-watchfloor-token';
/** the file's name, URI-encoded (header values are Latin-1) */
export const UPLOAD_NAME_HEADER = 'x-watchfloor-file-name';

export const uploadReplySchema = z.union([
  z.object({ uploadId: z.string().uuid(), name: z.string(), size: z.number().int() }).strict(),
  z.object({ error: z.string() }).strict(),
]);
export type UploadReply = z.infer<typeof uploadReplySchema>;
