import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_VERSION } from '../../main/version';

/**
 * `npx watchfloor` as a user runs it, with the system's npm and Node (issue 11): npx links the
 * project into its cache and checks the project's `engines` against the Node that runs npm, so
 * a system Node 20 got ten lines of EBADENGINE warnings before every first command, although the
 * CLI itself runs on the project's own Node 22.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
// The system's PATH: without the node_modules/.bin folders that npm scripts and vitest put first.
const SYSTEM_PATH = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((p) => !p.includes('node_modules'))
  .join(path.delimiter);

function systemNpx(): { version: string } | string {
  const node = spawnSync('node', ['--version'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: SYSTEM_PATH },
  });
  const npx = spawnSync('npx', ['--version'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: SYSTEM_PATH },
  });
  if (node.error || npx.error || npx.status !== 0) return 'no system node and npx on PATH';
  return { version: node.stdout.trim() };
}

describe('npx watchfloor on the system Node', () => {
  const system = systemNpx();
  if (typeof system === 'string') console.log(`skipping: ${system}`);
  else if (Number(system.version.slice(1).split('.')[0]) >= 22) {
    console.log(
      `note: the system Node is ${system.version}, which no engines check would warn about`,
    );
  }

  it.skipIf(typeof system === 'string')(
    'prints the CLI output and nothing else, even on the first run (fresh npx cache)',
    () => {
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-npx-cache-'));
      try {
        const r = spawnSync('npx', ['--yes', 'watchfloor', '--version'], {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 120_000,
          env: {
            ...process.env,
            PATH: SYSTEM_PATH,
            npm_config_cache: cache,
            npm_config_update_notifier: 'false',
          },
        });
        expect(r.stderr).not.toMatch(/EBADENGINE/);
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe(`${APP_VERSION}\n`);
        expect(r.status).toBe(0);
      } finally {
        fs.rmSync(cache, { recursive: true, force: true });
      }
    },
  );
});
