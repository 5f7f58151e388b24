import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { isChannel, isEventName, type IpcResult, type WatchfloorApi } from '../shared/ipc/contract';

/**
 * Exposes only invoke/subscribe for the channels and events the contract declares (rule 3);
 * the renderer never sees ipcRenderer itself. A chosen or dropped file is named by its path
 * (webUtils), so main's import job reads it from disk and its text never crosses IPC.
 */
const api: WatchfloorApi<File> = {
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
  importableFile(file) {
    // '' for a File that is not on disk (made by a page script, or from a web drag)
    const path = webUtils.getPathForFile(file);
    return Promise.resolve(
      path
        ? { ok: true, data: { path } }
        : {
            ok: false,
            error: {
              code: 'BAD_REQUEST',
              message: `${file.name} is not a file on this computer; save it first, then import it`,
            },
          },
    );
  },
};

contextBridge.exposeInMainWorld('watchfloor', api);
