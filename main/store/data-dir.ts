import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Watchfloor';

/**
 * The store folder of the app and the CLI alike (issue 12.7): Electron's own user-data folder
 * for an app named Watchfloor, which main/electron/index.ts also sets as `userData`, so that
 * both open the same store on every OS:
 * - Linux and others: `$XDG_CONFIG_HOME/Watchfloor`, or `~/.config/Watchfloor` when it is unset,
 *   empty or relative (the XDG spec says to ignore a relative one);
 * - macOS: `~/Library/Application Support/Watchfloor`;
 * - Windows: `%APPDATA%\Watchfloor`, or `~\AppData\Roaming\Watchfloor` without APPDATA.
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  switch (platform) {
    case 'darwin':
      return path.posix.join(home, 'Library', 'Application Support', APP_NAME);
    case 'win32': {
      const appData = env.APPDATA ? env.APPDATA : path.win32.join(home, 'AppData', 'Roaming');
      return path.win32.join(appData, APP_NAME);
    }
    default: {
      const xdg = env.XDG_CONFIG_HOME;
      const config = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.config');
      return path.posix.join(config, APP_NAME);
    }
  }
}

export function defaultStorePath(): string {
  return path.join(defaultDataDir(), 'watchfloor.db');
}
