/**
 * What a cancellable loop asks between its batches: AbortSignal has it, and so does the view a
 * worker thread has of its job's cancel flag.
 */
export interface CancelCheck {
  readonly aborted: boolean;
}

/**
 * A job's cancel request as memory a worker thread shares (NFR-2). The worker's event loop is
 * busy in its batch loop, so a message would only arrive at the end; the worker reads this flag
 * between batches instead, after each one has committed, and stops there by itself (never a
 * `terminate()` in the middle of a transaction).
 */
export function shareCancelFlag(signal: AbortSignal): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(4);
  const flag = new Int32Array(buffer);
  const raise = () => Atomics.store(flag, 0, 1);
  if (signal.aborted) raise();
  else signal.addEventListener('abort', raise, { once: true });
  return buffer;
}

/** The worker's side of `shareCancelFlag`. */
export function sharedCancelCheck(buffer: SharedArrayBuffer): CancelCheck {
  const flag = new Int32Array(buffer);
  return {
    get aborted() {
      return Atomics.load(flag, 0) === 1;
    },
  };
}
