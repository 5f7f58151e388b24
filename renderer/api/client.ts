import type {
  Channel,
  ChannelRequest,
  ChannelResponse,
  EventName,
  EventPayload,
  ImportFileRef,
  IpcErrorBody,
} from '../../shared/ipc/contract';

/** An error returned by main, with its code and (for bad requests) the offending paths. */
export class IpcError extends Error {
  readonly code: IpcErrorBody['code'];
  readonly issues: IpcErrorBody['issues'];
  readonly position: IpcErrorBody['position'];
  constructor(body: IpcErrorBody) {
    super(body.message);
    this.code = body.code;
    this.issues = body.issues;
    this.position = body.position;
  }
}

/** Typed call into main: the channel name picks the request and response types. */
export async function call<C extends Channel>(
  channel: C,
  request: ChannelRequest<C>,
): Promise<ChannelResponse<C>> {
  const result = await window.watchfloor.invoke(channel, request);
  if (!result.ok) throw new IpcError(result.error);
  return result.data;
}

export function subscribe<E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void,
): () => void {
  return window.watchfloor.subscribe(event, listener);
}

/** A chosen or dropped file as alerts.importFiles names it (its path, or its upload). */
export async function importableFile(file: File): Promise<ImportFileRef> {
  const result = await window.watchfloor.importableFile(file);
  if (!result.ok) throw new IpcError(result.error);
  return result.data;
}
