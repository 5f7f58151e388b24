import { webHandlerEnvironment } from '../helpers/handler-env';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../main/ipc/handlers';
import { createRouter } from '../../main/ipc/router';
import { openWorkspace, type Workspace } from '../../main/services/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { startWebServer, type WebServer } from '../../main/web/server';
import { APP_VERSION } from '../../main/version';

const INDEX_HTML =
  '<!doctype html><html><head><title>Watchfloor test</title></head><body></body></html>\n';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-RENDERER-DIR';

let dir: string;
let ws: Workspace;
let server: WebServer;
let origin: string;

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

  ws = openWorkspace(path.join(dir, 'w.derivedDb'), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
  const router = createRouter(createHandlers(ws, webHandlerEnvironment()));
  server = await startWebServer({ router, rendererDir, port: 0 });
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
