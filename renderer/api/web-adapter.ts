import type {
  Channel,
  ChannelRequest,
  ChannelResponse,
  EventName,
  EventPayload,
  ImportFileRef,
  IpcResult,
  WatchfloorApi,
} from '../../shared/ipc/contract';
import {
  UPLOAD_NAME_HEADER,
  UPLOAD_PATH,
  UPLOAD_TOKEN_HEADER,
  uploadReplySchema,
} from '../../shared/ipc/upload';

const uploadFailed = (message: string): IpcResult<ImportFileRef> => ({
  ok: false,
  error: { code: 'BAD_REQUEST', message },
});

/**
 * Browser mode's stand-in for preload: the same window.watchfloor API over the loopback
 * WebSocket that main/web/server.ts serves. The token comes from the URL fragment. A file to
 * import is uploaded over HTTP first: the browser streams it from disk, it is never read here.
 */
export function createWebAdapter(location: Location): WatchfloorApi<File> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const wsUrl = `ws://${location.host}/ws?token=${encodeURIComponent(token)}`;
  let nextId = 1;
  const pending = new Map<number, (r: IpcResult<unknown>) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let socket: WebSocket;
  let ready: Promise<void>;

  const connect = () => {
    socket = new WebSocket(wsUrl);
    ready = new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener(
        'error',
        () => reject(new Error('cannot reach Watchfloor (browser mode server stopped?)')),
        { once: true },
      );
    });
    socket.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as {
        id?: number;
        result?: IpcResult<unknown>;
        event?: string;
        payload?: unknown;
      };
      if (msg.id !== undefined && msg.result) {
        pending.get(msg.id)?.(msg.result);
        pending.delete(msg.id);
      } else if (msg.event) {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
      }
    });
    socket.addEventListener('close', () => {
      for (const [id, resolve] of pending) {
        resolve({
          ok: false,
          error: { code: 'INTERNAL', message: 'connection to Watchfloor lost' },
        });
        pending.delete(id);
      }
    });
  };
  connect();

  return {
    async invoke<C extends Channel>(channel: C, request: ChannelRequest<C>) {
      if (socket.readyState === WebSocket.CLOSED) connect();
      await ready;
      const id = nextId++;
      return new Promise<IpcResult<ChannelResponse<C>>>((resolve) => {
        pending.set(id, resolve as (r: IpcResult<unknown>) => void);
        socket.send(JSON.stringify({ id, channel, payload: request }));
      });
    },
    subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    async importableFile(file: File) {
      let response: Response;
      try {
        response = await fetch(UPLOAD_PATH, {
          method: 'POST',
          headers: {
            [UPLOAD_TOKEN_HEADER]: token,
            [UPLOAD_NAME_HEADER]: encodeURIComponent(file.name),
            'content-type': 'application/octet-stream',
          },
          body: file,
        });
      } catch {
        return uploadFailed(`cannot upload ${file.name}: Watchfloor is not reachable`);
      }
      const reply = uploadReplySchema.safeParse(await response.json().catch(() => null));
      if (!reply.success) {
        return uploadFailed(`cannot upload ${file.name}: unexpected answer (${response.status})`);
      }
      if ('error' in reply.data) return uploadFailed(reply.data.error);
      return { ok: true, data: { uploadId: reply.data.uploadId } };
    },
  };
}
