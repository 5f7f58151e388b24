/// <reference types="vite/client" />
import type { WatchfloorApi } from '../shared/ipc/contract';

declare global {
  interface Window {
    watchfloor: WatchfloorApi<File>;
  }
}

export {};
