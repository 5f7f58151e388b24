import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Router } from '../ipc/router';
import type { EventName, EventPayload } from '../../shared/ipc/contract';
import {
  UPLOAD_NAME_HEADER,
  UPLOAD_PATH,
  UPLOAD_TOKEN_HEADER,
  type UploadReply,
} from '../../shared/ipc/upload';
import { UploadTooLargeError, type UploadFolder } from './uploads';

/**
 * Browser mode: the renderer is served to a browser and talks to the same router over a
 * loopback WebSocket. A random per-run token (in the URL fragment, never in server logs) and
 * an Origin check keep other local pages and processes out. Alert files come in by HTTP upload
 * (POST /upload, the same checks), streamed to disk, never as text over the WebSocket.
 */

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

const requestFrameSchema = z.object({
  id: z.number().int(),
  channel: z.string().max(100),
  payload: z.unknown(),
});

export interface WebServer {
  url: string;
  port: number;
  token: string;
  broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void;
  close(): Promise<void>;
}

export interface WebServerOptions {
  router: Router;
  rendererDir: string;
  port: number;
  host?: string;
  /** where uploads go (the handlers import them from there); without, POST /upload is 404 */
  uploads?: UploadFolder;
  /** one line per connection the server closed for a protocol error, and the like */
  log?: (message: string) => void;
}

/** Largest WebSocket message: requests are small, files never travel this way (issue 11.3). */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const MAX_FILE_NAME = 255;

function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function sendJson(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  body: UploadReply,
): void {
  // An answer before the whole body was read (too large, refused) closes the connection: the
  // rest of the body is not read, and keep-alive would wait for it.
  const unread = !req.complete;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(unread ? { connection: 'close' } : {}),
  });
  res.end(JSON.stringify(body));
  if (unread) req.resume();
}

export function contentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // AG Grid's theming injects <style> elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connectSrc}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = crypto.randomBytes(24).toString('base64url');
  const root = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`renderer build not found in ${root}; run npm run build first`);
  }
  let origin = '';
  const log = options.log ?? (() => {});
  const maxUploadMb = options.uploads
    ? (options.uploads.maxBytes / (1024 * 1024)).toLocaleString('en', { maximumFractionDigits: 2 })
    : '0';

  /** POST /upload: one file's bytes, streamed to a private temporary file (issue 11.3). */
  const receiveUpload = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const uploads = options.uploads;
    if (!uploads) {
      sendJson(req, res, 404, { error: 'uploads are not enabled' });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(req, res, 405, { error: `${UPLOAD_PATH} takes POST only` });
      return;
    }
    if (req.headers.origin !== origin) {
      sendJson(req, res, 403, { error: "uploads are accepted from the app's own page only" });
      return;
    }
    const given = req.headers[UPLOAD_TOKEN_HEADER];
    if (typeof given !== 'string' || !tokenMatches(given, token)) {
      sendJson(req, res, 401, { error: `missing or wrong ${UPLOAD_TOKEN_HEADER} header` });
      return;
    }
    let name: string;
    try {
      name = decodeURIComponent(String(req.headers[UPLOAD_NAME_HEADER] ?? ''));
    } catch {
      name = '';
    }
    // eslint-disable-next-line no-control-regex
    if (!name || name.length > MAX_FILE_NAME || /[\u0000-\u001f/\\]/.test(name)) {
      sendJson(req, res, 400, {
        error: `${UPLOAD_NAME_HEADER} must be the file's name (URI-encoded, 1-${MAX_FILE_NAME} characters, no slashes)`,
      });
      return;
    }
    const tooLarge = () =>
      sendJson(req, res, 413, {
        error: `${name}: file is larger than ${maxUploadMb} MB; import it with the CLI (npx watchfloor import)`,
      });
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > uploads.maxBytes) {
      tooLarge();
      return;
    }
    uploads.receive(name, req).then(
      (upload) =>
        sendJson(req, res, 201, { uploadId: upload.id, name: upload.name, size: upload.size }),
      (err: unknown) => {
        if (err instanceof UploadTooLargeError) tooLarge();
        else if (!res.headersSent && !req.destroyed) {
          log(`browser mode: upload of ${name} failed: ${(err as Error).message}`);
          sendJson(req, res, 500, { error: `could not store ${name}: ${(err as Error).message}` });
        }
      },
    );
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === UPLOAD_PATH) {
      receiveUpload(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('method not allowed');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request: malformed path');
      return;
    }
    if (rel === '/' || !path.extname(rel)) rel = '/index.html';
    const file = path.resolve(root, '.' + rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': contentSecurityPolicy(`'self' ws://${host}:${port}`),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    // Node takes its own 'error' listener off an upgraded socket: without one, a reset during
    // the answer below would end the process.
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://localhost');
    const tokenOk = tokenMatches(url.searchParams.get('token') ?? '', token);
    if (url.pathname !== '/ws' || !tokenOk || req.headers.origin !== origin) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      // A frame that breaks the protocol (too large, invalid UTF-8, unmasked, a reserved opcode
      // or bit, a bad close code) is an 'error' here: ws has already closed this connection
      // with the matching code (1009, 1007, 1002). Without this listener the process exited.
      ws.on('error', (err: Error & { code?: string }) => {
        log(`browser mode: closed a connection: ${err.message}${err.code ? ` (${err.code})` : ''}`);
      });
      ws.on('message', (data) => {
        let frame: z.infer<typeof requestFrameSchema>;
        try {
          frame = requestFrameSchema.parse(JSON.parse(String(data)));
        } catch {
          ws.send(JSON.stringify({ error: 'malformed frame: expected {id, channel, payload}' }));
          return;
        }
        void options.router.invoke(frame.channel, frame.payload).then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: frame.id, result }));
        });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  origin = `http://${host}:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    port,
    token,
    broadcast(event, payload) {
      const frame = JSON.stringify({ event, payload });
      for (const c of clients) if (c.readyState === c.OPEN) c.send(frame);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.terminate();
        wss.close();
        server.close(() => {
          options.uploads?.dispose();
          resolve();
        });
        // keep-alive HTTP connections would hold close() open
        server.closeAllConnections();
      }),
  };
}
