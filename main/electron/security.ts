import { shell, type WebContents } from 'electron';

export const APP_ORIGIN = 'app://watchfloor';

/** External links open in the system browser only for these schemes (rule 14). */
const EXTERNAL_SCHEMES = new Set(['https:', 'mailto:']);

export function openExternalSafely(url: string): void {
  try {
    if (EXTERNAL_SCHEMES.has(new URL(url).protocol)) void shell.openExternal(url);
  } catch {
    // not a URL: ignore
  }
}

/** No navigation away from the app and no new windows (rule 6). */
export function lockDownContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(APP_ORIGIN + '/')) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
}

/** IPC is accepted only from the app's own top frame and origin (rule 12). */
export function isTrustedSender(
  frame: Electron.WebFrameMain | null,
  mainContents: WebContents | null,
): boolean {
  if (!frame || !mainContents) return false;
  if (frame !== mainContents.mainFrame) return false;
  return frame.url.startsWith(APP_ORIGIN + '/');
}
