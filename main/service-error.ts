import type { IpcErrorCode } from '../shared/ipc/contract';

/** An error a service throws on purpose; it crosses IPC with its code and message. */
export class ServiceError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
    /** offset and length in a query string the error points at */
    readonly position?: { offset: number; length: number },
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
