import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isChannel, isEventName, type IpcResult, type WatchfloorApi } from '../shared/ipc/contract';

/**
 * Exposes only invoke/subscribe for the channels and events the contract declares (rule 3);
 * the renderer never sees ipcRenderer itself.
 */
const api: WatchfloorApi = {
  invoke(channel, request) {
    if (!isChannel(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL', message: `unknown channel ${String(channel)}` },
      });
    }
    return ipcRenderer.invoke(channel, request) as Promise<IpcResult<never>>;
  },
  subscribe(event, listener) {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('watchfloor', api);
