import { webHandlerEnvironment } from '../helpers/handler-env';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../main/ipc/handlers';
import { createRouter } from '../../main/ipc/router';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { startWebServer, type WebServer } from '../../main/web/server';
import { APP_VERSION } from '../../main/version';
import { UploadFolder } from '../../main/web/uploads';
import type { Job } from '../../shared/ipc/contract';
import { ALERT_FIXTURES } from '../fixtures/alerts';

const INDEX_HTML =
  '<!doctype html><html><head><title>Watchfloor test</title></head><body></body></html>\n';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-RENDERER-DIR';

let dir: string;
let ws: Workspace;
let server: WebServer;
let origin: string;
let uploads: UploadFolder;
const UPLOAD_LIMIT = 1024 * 1024;

interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** GET with the path sent exactly as written (fetch would normalise `..` away). */
function get(rawPath: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: rawPath }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    // bounds the wait when the server never answers; the failure names the path
    req.setTimeout(5000, () => req.destroy(new Error(`no response for ${rawPath}`)));
    req.on('error', reject);
  });
}

/** Resolves with the HTTP status the server answered a WebSocket upgrade with. */
function upgradeStatus(url: string, headers: { origin?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(
      url,
      headers.origin === undefined ? {} : { origin: headers.origin },
    );
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('error', reject);
  });
}

/** A connected client that queues what the server sends. */
class Client {
  private readonly queue: unknown[] = [];
  private readonly waiting: ((msg: unknown) => void)[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const msg: unknown = JSON.parse(String(data));
      const waiter = this.waiting.shift();
      if (waiter) waiter(msg);
      else this.queue.push(msg);
    });
  }

  static connect(): Promise<Client> {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
      origin,
    });
    const client = new Client(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  next(): Promise<unknown> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async call(id: number, channel: string, payload: unknown): Promise<unknown> {
    this.send({ id, channel, payload });
    return this.next();
  }

  close(): void {
    this.socket.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-web-'));
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), INDEX_HTML);
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app");\n');
  // files next to the renderer folder that no request may reach
  fs.writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  fs.mkdirSync(path.join(dir, 'renderer-evil'));
  fs.writeFileSync(path.join(dir, 'renderer-evil', 'secret.txt'), SECRET);

  ws = openWorkspace(path.join(dir, 'w.db'), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
  uploads = UploadFolder.create({ maxBytes: UPLOAD_LIMIT, parent: dir });
  const router = createRouter(createHandlers(ws, { ...webHandlerEnvironment(), uploads }));
  server = await startWebServer({ router, rendererDir, port: 0, uploads });
  origin = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  ws?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('browser-mode HTTP', () => {
  it('binds a real port and hands out the URL with the token in the fragment', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`${origin}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves index.html at / with a strict content security policy', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body).toBe(INDEX_HTML);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = r.headers['content-security-policy'];
    expect(typeof csp).toBe('string');
    const directives = String(csp).split('; ');
    expect(directives).toEqual(
      expect.arrayContaining([
        "default-src 'self'",
        "script-src 'self'",
        `connect-src 'self' ws://127.0.0.1:${server.port}`,
        "object-src 'none'",
        "frame-ancestors 'none'",
      ]),
    );
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves index.html for client-side routes and assets by type', async () => {
    const route = await get('/cases/42');
    expect(route.status).toBe(200);
    expect(route.body).toBe(INDEX_HTML);
    const asset = await get('/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%2frenderer-evil%2fsecret.txt',
    '/../package.json',
    '/%2e%2e/%2e%2e/package.json',
  ])('answers the traversal %s with 404', async (rawPath) => {
    const r = await get(rawPath);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain(SECRET);
    expect(r.body).not.toContain('"name"');
  });

  it('answers a malformed percent-encoding with an error status and stays up', async () => {
    const r = await get('/%zz.js');
    expect([400, 404]).toContain(r.status);
    expect((await get('/')).status).toBe(200);
  });
});

describe('browser-mode WebSocket', () => {
  const wsUrl = (query: string, pathname = '/ws') =>
    `ws://127.0.0.1:${server.port}${pathname}${query}`;

  it('rejects a connection without a token', async () => {
    expect(await upgradeStatus(wsUrl(''), { origin })).toBe(403);
  });

  it('rejects a wrong token of the same or another length', async () => {
    const flipped = (server.token[0] === 'A' ? 'B' : 'A') + server.token.slice(1);
    expect(await upgradeStatus(wsUrl(`?token=${flipped}`), { origin })).toBe(403);
    expect(await upgradeStatus(wsUrl(`?token=${server.token}x`), { origin })).toBe(403);
    expect(await upgradeStatus(wsUrl('?token='), { origin })).toBe(403);
  });

  it('rejects the right token from a wrong or missing Origin', async () => {
    const url = wsUrl(`?token=${server.token}`);
    expect(await upgradeStatus(url, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(url, { origin: `http://localhost:${server.port}` })).toBe(403);
    expect(await upgradeStatus(url, { origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await upgradeStatus(url, { origin: 'null' })).toBe(403);
    expect(await upgradeStatus(url)).toBe(403);
  });

  it('rejects the right token and Origin on another path', async () => {
    expect(await upgradeStatus(wsUrl(`?token=${server.token}`, '/other'), { origin })).toBe(403);
  });

  it('accepts the token with the app origin and answers app.getInfo', async () => {
    expect(await upgradeStatus(wsUrl(`?token=${server.token}`), { origin })).toBe(101);
    const client = await Client.connect();
    try {
      const reply = await client.call(1, 'app.getInfo', {});
      expect(reply).toEqual({
        id: 1,
        result: {
          ok: true,
          data: expect.objectContaining({
            version: APP_VERSION,
            mode: 'web',
            storePath: ws.store.file,
            caseCount: 0,
            alertCount: 0,
            user: expect.objectContaining({ login: ws.user.login }),
          }),
        },
      });
    } finally {
      client.close();
    }
  });

  it('answers a malformed frame with an error and keeps the connection usable', async () => {
    const client = await Client.connect();
    try {
      for (const bad of [
        'not json',
        '{"id":"one","channel":"app.getInfo"}',
        '[]',
        'null',
        '{"channel":"app.getInfo"}',
      ]) {
        client.send(bad);
        expect(await client.next()).toEqual({ error: expect.stringMatching(/^malformed frame/) });
      }
      expect(await client.call(7, 'jobs.list', {})).toEqual({
        id: 7,
        result: { ok: true, data: [] },
      });
      expect(await client.call(8, 'cases.drop', {})).toEqual({
        id: 8,
        result: { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: expect.any(String) } },
      });
      const bad = (await client.call(9, 'cases.list', { offset: -1, limit: 10 })) as {
        id: number;
        result: { ok: boolean; error?: { code: string } };
      };
      expect(bad.id).toBe(9);
      expect(bad.result.ok).toBe(false);
      expect(bad.result.error?.code).toBe('BAD_REQUEST');
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
    } finally {
      client.close();
    }
  });

  it('broadcasts events to connected clients', async () => {
    const client = await Client.connect();
    try {
      server.broadcast('data.changed', { entity: 'case' });
      expect(await client.next()).toEqual({ event: 'data.changed', payload: { entity: 'case' } });
    } finally {
      client.close();
    }
  });
});

interface UploadRequest {
  token?: string;
  origin?: string;
  name?: string;
  body: Buffer;
  /** send the body chunked, without a Content-Length */
  chunked?: boolean;
}

/** POST /upload; resolves with the answer even when the server stops reading the body early. */
function upload(request: UploadRequest, port = server.port): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (request.token !== undefined) headers['x-watchfloor-token'] = request.token;
    if (request.origin !== undefined) headers.origin = request.origin;
    if (request.name !== undefined)
      headers['x-watchfloor-file-name'] = encodeURIComponent(request.name);
    if (!request.chunked) headers['content-length'] = String(request.body.length);
    let answered = false;
    const req = http.request(
      { host: '127.0.0.1', port, path: '/upload', method: 'POST', headers },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer to the upload')));
    // a server that answers before reading the whole body may reset the rest of the upload
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const chunk = 64 * 1024;
    for (let at = 0; at < request.body.length; at += chunk) {
      req.write(request.body.subarray(at, at + chunk));
    }
    req.end();
  });
}

/** Resolves with the job once it has finished (Success, Failure, …). */
function finishedJob(jobs: Workspace['jobs'], id: string): Promise<Job> {
  return new Promise((resolve) => {
    const settle = (job: Job | undefined) => {
      if (job && job.id === id && job.status !== 'In Progress' && job.status !== 'Waiting') {
        off();
        resolve(job);
      }
    };
    const off = jobs.onChange(settle);
    settle(jobs.get(id));
  });
}

describe('browser-mode upload (POST /upload)', () => {
  const good = () => ({ token: server.token, origin, name: 'alerts.json' });

  it('keeps its uploads in a folder only this user can open', () => {
    expect(fs.statSync(uploads.dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a missing or wrong token with 401 and keeps nothing', async () => {
    const body = Buffer.from('[]');
    const none = await upload({ ...good(), token: undefined, body });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toEqual({ error: expect.stringMatching(/token/) });
    const flipped = (server.token[0] === 'A' ? 'B' : 'A') + server.token.slice(1);
    expect((await upload({ ...good(), token: flipped, body })).status).toBe(401);
    expect((await upload({ ...good(), token: `${server.token}x`, body })).status).toBe(401);
    expect(fs.readdirSync(uploads.dir)).toEqual([]);
  });

  it('refuses another or a missing Origin with 403, even with the token', async () => {
    const body = Buffer.from('[]');
    for (const other of ['http://evil.example', `http://localhost:${server.port}`, 'null']) {
      const r = await upload({ ...good(), origin: other, body });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toEqual({ error: expect.stringMatching(/own page/) });
    }
    expect((await upload({ ...good(), origin: undefined, body })).status).toBe(403);
    expect(fs.readdirSync(uploads.dir)).toEqual([]);
  });

  it('refuses a GET and a nameless upload', async () => {
    expect((await get('/upload')).status).toBe(405);
    const r = await upload({ ...good(), name: undefined, body: Buffer.from('[]') });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ error: expect.stringMatching(/file's name/) });
  });

  it.each([
    ['with its Content-Length', false],
    ['sent chunked', true],
  ])('refuses a file over the limit %s with 413 and says to use the CLI', async (_how, chunked) => {
    const r = await upload({
      ...good(),
      name: 'big.ndjson',
      body: Buffer.alloc(2 * UPLOAD_LIMIT, 0x20),
      chunked,
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({
      error: expect.stringMatching(
        /^big\.ndjson: file is larger than 1 MB; import it with the CLI/,
      ),
    });
    expect(fs.readdirSync(uploads.dir)).toEqual([]);
    expect((await get('/')).status).toBe(200);
  });

  it('imports an upload as a job and removes its file once the job ends', async () => {
    const r = await upload({
      ...good(),
      name: 'watchfloor.json',
      body: fs.readFileSync(path.join(ALERT_FIXTURES, 'watchfloor.json')),
    });
    expect(r.status).toBe(201);
    const { uploadId } = JSON.parse(r.body) as { uploadId: string };
    expect(fs.readdirSync(uploads.dir)).toEqual([uploadId]);
    expect(fs.statSync(path.join(uploads.dir, uploadId)).mode & 0o777).toBe(0o600);
    const client = await Client.connect();
    try {
      const reply = (await client.call(1, 'alerts.importFiles', {
        files: [{ uploadId }],
      })) as { result: { ok: true; data: { jobId: string } } };
      expect(reply.result.ok).toBe(true);
      const job = await finishedJob(ws.jobs, reply.result.data.jobId);
      expect(job).toMatchObject({ status: 'Success', title: 'Import watchfloor.json' });
      expect(job.message).toMatch(/^\d+ imported/);
      expect(fs.readdirSync(uploads.dir)).toEqual([]);
      const info = (await client.call(2, 'app.getInfo', {})) as {
        result: { data: { alertCount: number } };
      };
      expect(info.result.data.alertCount).toBeGreaterThan(0);
      // an upload is imported once; browser mode names no paths on the server
      const again = (await client.call(3, 'alerts.importFiles', { files: [{ uploadId }] })) as {
        result: { ok: false; error: { code: string; message: string } };
      };
      expect(again.result.error).toMatchObject({ code: 'BAD_REQUEST' });
      expect(again.result.error.message).toMatch(/no upload/);
      const byPath = (await client.call(4, 'alerts.importFiles', {
        files: [{ path: path.join(ALERT_FIXTURES, 'watchfloor.json') }],
      })) as { result: { ok: false; error: { code: string } } };
      expect(byPath.result.error.code).toBe('FORBIDDEN');
      // the old form, a file's text over the WebSocket, is refused by the contract
      const asText = (await client.call(5, 'alerts.importFiles', {
        files: [{ name: 'a.json', content: '[]' }],
      })) as { result: { ok: false; error: { code: string } } };
      expect(asText.result.error.code).toBe('BAD_REQUEST');
    } finally {
      client.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Browser mode as its own process: a bad frame must not end it (issue 11.3).

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

interface BrowserMode {
  proc: ChildProcess;
  port: number;
  token: string;
  origin: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `main/web/start.ts` on `dbPath`, serving a stub renderer, and waits for its URL. */
async function spawnBrowserMode(
  dbPath: string,
  rendererDir: string,
  env: Record<string, string> = {},
): Promise<BrowserMode> {
  const proc = spawn(
    NODE,
    ['--import', 'tsx', 'main/web/start.ts', '--db', dbPath, '--renderer', rendererDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
      if (m) resolve(new URL(m[1]!));
    });
    void exited.then((code) => reject(new Error(`browser mode exited (${code}): ${stderr}`)));
  });
  return {
    proc,
    port: Number(url.port),
    token: url.hash.slice('#token='.length),
    origin: url.origin,
    stderr: () => stderr,
    exited,
  };
}

async function stopBrowserMode(app: BrowserMode | undefined): Promise<void> {
  if (!app || app.proc.exitCode !== null || app.proc.signalCode !== null) return;
  app.proc.kill('SIGKILL');
  await app.exited;
}

/** A WebSocket over a bare TCP socket, so that frames can break the protocol on purpose. */
class RawSocket {
  private received = Buffer.alloc(0);
  private readonly ended: Promise<void>;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => (this.received = Buffer.concat([this.received, d])));
    // the server may reset the connection while a big frame is still being written
    socket.on('error', () => {});
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(app: BrowserMode): Promise<RawSocket> {
    const socket = net.connect(app.port, '127.0.0.1');
    const raw = new RawSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    socket.write(
      [
        `GET /ws?token=${app.token} HTTP/1.1`,
        `Host: 127.0.0.1:${app.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Origin: ${app.origin}`,
        '',
        '',
      ].join('\r\n'),
    );
    const head = await raw.until((b) => b.includes('\r\n\r\n'));
    const end = head.indexOf('\r\n\r\n') + 4;
    if (end < 4) {
      throw new Error(
        `no handshake answer; browser mode exit code ${app.proc.exitCode}: ${app.stderr()}`,
      );
    }
    expect(head.subarray(0, end).toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    raw.received = raw.received.subarray(end);
    return raw;
  }

  /** Resolves with what was received once `done` holds for it (or the connection ended). */
  async until(done: (received: Buffer) => boolean): Promise<Buffer> {
    while (!done(this.received)) {
      const more = new Promise<void>((resolve) => this.socket.once('data', () => resolve()));
      if ((await Promise.race([more.then(() => 'data'), this.ended.then(() => 'end')])) === 'end') {
        break;
      }
    }
    return this.received;
  }

  /** The close frame the server sent: its status code and reason text. */
  async closeFrame(): Promise<{ code: number; reason: string } | null> {
    const data = await this.until((b) => frameAt(b, 0) !== null && closeIn(b) !== null);
    return closeIn(data);
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

interface ParsedFrame {
  opcode: number;
  payload: Buffer;
  end: number;
}

/** The (unmasked, server-sent) frame at `offset`, or null when it is not complete yet. */
function frameAt(b: Buffer, offset: number): ParsedFrame | null {
  if (b.length < offset + 2) return null;
  const opcode = b[offset]! & 0x0f;
  let length = b[offset + 1]! & 0x7f;
  let start = offset + 2;
  if (length === 126) {
    if (b.length < start + 2) return null;
    length = b.readUInt16BE(start);
    start += 2;
  } else if (length === 127) {
    if (b.length < start + 8) return null;
    length = Number(b.readBigUInt64BE(start));
    start += 8;
  }
  if (b.length < start + length) return null;
  return { opcode, payload: b.subarray(start, start + length), end: start + length };
}

function closeIn(b: Buffer): { code: number; reason: string } | null {
  for (let offset = 0, f = frameAt(b, 0); f; offset = f.end, f = frameAt(b, offset)) {
    if (f.opcode === 0x8) {
      return f.payload.length >= 2
        ? { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString('utf8') }
        : { code: 1005, reason: '' };
    }
  }
  return null;
}

interface FrameSpec {
  opcode: number;
  payload: Buffer;
  masked?: boolean;
  rsv1?: boolean;
  /** the length the header declares, when it is not the payload's */
  declaredLength?: number;
}

/** Encodes one client frame by hand (RFC 6455 section 5.2). */
function encodeFrame(spec: FrameSpec): Buffer {
  const masked = spec.masked ?? true;
  const length = spec.declaredLength ?? spec.payload.length;
  const head: number[] = [0x80 | (spec.rsv1 ? 0x40 : 0) | spec.opcode];
  const maskBit = masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
  }
  const mask = masked ? crypto.randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(spec.payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([Buffer.from(head), extended, mask, body]);
}

const MB = 1024 * 1024;
const closePayload = (code: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
};

/** The 7 kinds of bad frame from issue 11.3, and the close code ws answers each with. */
const BAD_FRAMES: { kind: string; frame: () => Buffer; code: number }[] = [
  {
    kind: 'a 17 MB frame',
    frame: () => encodeFrame({ opcode: 0x1, payload: Buffer.alloc(17 * MB, 0x20) }),
    code: 1009,
  },
  {
    kind: 'a 100 MB frame',
    frame: () =>
      encodeFrame({ opcode: 0x1, payload: Buffer.alloc(MB, 0x20), declaredLength: 100 * MB }),
    code: 1009,
  },
  {
    kind: 'invalid UTF-8',
    frame: () => encodeFrame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }),
    code: 1007,
  },
  {
    kind: 'an unmasked frame',
    frame: () => encodeFrame({ opcode: 0x1, payload: Buffer.from('{}'), masked: false }),
    code: 1002,
  },
  {
    kind: 'a reserved opcode',
    frame: () => encodeFrame({ opcode: 0x3, payload: Buffer.from('{}') }),
    code: 1002,
  },
  {
    kind: 'RSV1 set',
    frame: () => encodeFrame({ opcode: 0x1, payload: Buffer.from('{}'), rsv1: true }),
    code: 1002,
  },
  {
    kind: 'an invalid close code',
    frame: () => encodeFrame({ opcode: 0x8, payload: closePayload(1005) }),
    code: 1002,
  },
];

describe('browser mode survives bad WebSocket frames', () => {
  let procDir: string;
  let app: BrowserMode | undefined;

  beforeAll(async () => {
    procDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-web-proc-'));
    const rendererDir = path.join(procDir, 'renderer');
    fs.mkdirSync(rendererDir);
    fs.writeFileSync(path.join(rendererDir, 'index.html'), INDEX_HTML);
    app = await spawnBrowserMode(path.join(procDir, 'w.db'), rendererDir);
  });

  afterAll(async () => {
    await stopBrowserMode(app);
    fs.rmSync(procDir, { recursive: true, force: true });
  });

  it.each(BAD_FRAMES)(
    'closes only the connection that sent $kind, with close code $code',
    async ({ frame, code }) => {
      const live = app!;
      const bystander = await RawSocket.open(live);
      const bad = await RawSocket.open(live);
      try {
        bad.write(frame());
        const close = await bad.closeFrame();
        expect(close?.code).toBe(code);
        expect(live.proc.exitCode).toBeNull();
        // the connection opened before it and a new one both still work
        for (const socket of [bystander, await RawSocket.open(live)]) {
          socket.write(
            encodeFrame({
              opcode: 0x1,
              payload: Buffer.from(JSON.stringify({ id: 1, channel: 'jobs.list', payload: {} })),
            }),
          );
          const reply = await socket.until((b) => frameAt(b, 0) !== null);
          const parsed = frameAt(reply, 0);
          expect(parsed?.opcode).toBe(0x1);
          expect(JSON.parse(parsed!.payload.toString('utf8'))).toEqual({
            id: 1,
            result: { ok: true, data: expect.any(Array) },
          });
          socket.destroy();
        }
        expect(live.proc.exitCode).toBeNull();
      } finally {
        bystander.destroy();
        bad.destroy();
      }
    },
  );
});

describe('browser mode keeps its jobs across a crash', () => {
  let procDir: string;
  let app: BrowserMode | undefined;

  beforeAll(() => {
    procDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-web-jobs-'));
    fs.mkdirSync(path.join(procDir, 'renderer'));
    fs.writeFileSync(path.join(procDir, 'renderer', 'index.html'), INDEX_HTML);
    fs.mkdirSync(path.join(procDir, 'tmp'));
  });

  afterAll(async () => {
    await stopBrowserMode(app);
    fs.rmSync(procDir, { recursive: true, force: true });
  });

  /** NDJSON of `count` Watchfloor alerts on a few hundred hosts: many import batches. */
  function bigAlertFile(count: number): string {
    const file = path.join(procDir, 'big.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      lines.push(
        JSON.stringify({
          source: 'edr-load',
          sourceRef: `load-${i}`,
          title: `Suspicious process ${i % 50}`,
          timestamp: new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString(),
          severity: 'medium',
          entities: { hosts: [`host-${i % 300}.corp.example`] },
        }),
      );
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  it('shows a job killed with its process as Interrupted on the next start', async () => {
    const dbPath = path.join(procDir, 'w.db');
    const rendererDir = path.join(procDir, 'renderer');
    const tmp = path.join(procDir, 'tmp');
    app = await spawnBrowserMode(dbPath, rendererDir, { TMPDIR: tmp });
    const first = app;
    const sent = await upload(
      {
        token: first.token,
        origin: first.origin,
        name: 'big.ndjson',
        body: fs.readFileSync(bigAlertFile(60_000)),
      },
      first.port,
    );
    expect(sent.status).toBe(201);
    const { uploadId } = JSON.parse(sent.body) as { uploadId: string };
    const uploadFolders = () => fs.readdirSync(tmp).filter((f) => f.startsWith('watchfloor-'));
    expect(uploadFolders()).toEqual([expect.stringMatching(/^watchfloor-uploads-/)]);

    const socket = new WebSocket(`ws://127.0.0.1:${first.port}/ws?token=${first.token}`, {
      origin: first.origin,
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    // kill -9 once the job has committed its first batch and is still running
    const running = new Promise<string>((resolve) => {
      socket.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { event?: string; payload?: Job };
        const job = msg.payload;
        if (msg.event === 'jobs.changed' && job?.status === 'In Progress' && job.progress) {
          resolve(job.id);
        }
      });
    });
    socket.send(
      JSON.stringify({ id: 1, channel: 'alerts.importFiles', payload: { files: [{ uploadId }] } }),
    );
    const jobId = await running;
    first.proc.kill('SIGKILL');
    await first.exited;
    socket.terminate();

    app = await spawnBrowserMode(dbPath, rendererDir, { TMPDIR: tmp });
    const client = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`ws://127.0.0.1:${app!.port}/ws?token=${app!.token}`, {
        origin: app!.origin,
      });
      s.once('open', () => resolve(s)).once('error', reject);
    });
    try {
      const listed = await new Promise<Job[]>((resolve) => {
        client.on('message', (data) => {
          const msg = JSON.parse(String(data)) as { id?: number; result?: { data: Job[] } };
          if (msg.id === 1) resolve(msg.result!.data);
        });
        client.send(JSON.stringify({ id: 1, channel: 'jobs.list', payload: {} }));
      });
      const job = listed.find((j) => j.id === jobId);
      expect(job).toMatchObject({ status: 'Interrupted', title: 'Import big.ndjson' });
      // what the Task List was told before the kill was in the store already
      expect(job!.message).toMatch(
        /^The app stopped while this job ran; \d+% done \(big\.ndjson: [\d,]+ alerts imported\)\./,
      );
      expect(job!.message).toMatch(/import the file again/);
      // the killed process's upload folder is gone; only the new process's own is left
      expect(uploadFolders()).toEqual([
        expect.stringMatching(new RegExp(`^watchfloor-uploads-${app.proc.pid}-`)),
      ]);
    } finally {
      client.terminate();
    }
  });
});
