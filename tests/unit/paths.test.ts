import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP_NAME, defaultDataDir, defaultStorePath } from '../../main/store/paths';

/**
 * Issue 12.7: the app and the CLI use one store folder on every OS. Electron's own user-data
 * folder would be `appData/<productName>`; main/electron/index.ts sets `userData` to
 * defaultDataDir(), and package.json's productName is the same name, so both agree.
 */

const originalPlatform = process.platform;

function onPlatform(platform: NodeJS.Platform): void {
  Object.defineProperty(process, 'platform', { value: platform, configurable: true });
}

afterEach(() => {
  Object.defineProperty(process, 'platform', { value: originalPlatform, configurable: true });
  vi.unstubAllEnvs();
});

describe('defaultDataDir', () => {
  const home = '/home/ana';

  it('is ~/.config/Watchfloor on Linux without XDG_CONFIG_HOME', () => {
    expect(defaultDataDir('linux', {}, home)).toBe('/home/ana/.config/Watchfloor');
  });

  it('follows an absolute XDG_CONFIG_HOME on Linux', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/data/cfg' }, home)).toBe(
      '/data/cfg/Watchfloor',
    );
  });

  it('ignores an empty or relative XDG_CONFIG_HOME (XDG spec), never a folder relative to the cwd', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '' }, home)).toBe(
      '/home/ana/.config/Watchfloor',
    );
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: 'cfg' }, home)).toBe(
      '/home/ana/.config/Watchfloor',
    );
  });

  it('is ~/Library/Application Support/Watchfloor on macOS, whatever XDG says', () => {
    expect(defaultDataDir('darwin', { XDG_CONFIG_HOME: '/data/cfg' }, '/Users/ana')).toBe(
      '/Users/ana/Library/Application Support/Watchfloor',
    );
  });

  it('is %APPDATA%\\Watchfloor on Windows, or the roaming folder without APPDATA', () => {
    expect(
      defaultDataDir('win32', { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'C:\\Users\\ana'),
    ).toBe('C:\\Users\\ana\\AppData\\Roaming\\Watchfloor');
    expect(defaultDataDir('win32', {}, 'C:\\Users\\ana')).toBe(
      'C:\\Users\\ana\\AppData\\Roaming\\Watchfloor',
    );
  });

  it('reads the running platform and environment by default', () => {
    onPlatform('linux');
    vi.stubEnv('XDG_CONFIG_HOME', '/tmp/xdg-test');
    expect(defaultDataDir()).toBe('/tmp/xdg-test/Watchfloor');
    expect(defaultStorePath()).toBe(path.join('/tmp/xdg-test/Watchfloor', 'watchfloor.db'));
    onPlatform('win32');
    vi.stubEnv('APPDATA', 'D:\\Profiles\\ana');
    expect(defaultDataDir()).toBe('D:\\Profiles\\ana\\Watchfloor');
    onPlatform('darwin');
    expect(defaultDataDir()).toBe(
      path.posix.join(os.homedir(), 'Library', 'Application Support', 'Watchfloor'),
    );
  });
});

describe('the app is named as the store folder is', () => {
  it("package.json's productName (Electron's app name) and electron-builder's are Watchfloor", () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      productName?: string;
    };
    expect(pkg.productName).toBe(APP_NAME);
    const builder = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    expect(builder).toMatch(new RegExp(`^productName: ${APP_NAME}$`, 'm'));
  });

  it('Electron sets its userData to defaultDataDir() before it is ready', () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const electronMain = fs.readFileSync(path.join(root, 'main/electron/index.ts'), 'utf8');
    const setPath = electronMain.indexOf("app.setPath('userData', defaultDataDir())");
    expect(setPath).toBeGreaterThan(0);
    // before the single-instance lock and whenReady, which read the folder
    expect(setPath).toBeLessThan(electronMain.indexOf('app.requestSingleInstanceLock()'));
    expect(setPath).toBeLessThan(electronMain.indexOf('app.whenReady()'));
  });
});
