import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL for the server's tests: Debian's `postgresql` package (scripts/
 * setup-test-env.sh installs it), a cluster in a temporary folder on loopback and a free port,
 * run as the `postgres` user when the tests run as root (initdb refuses root). initdb runs once
 * per machine into a template folder that each test file copies (a copy starts in ~0.3 s).
 */

export interface PostgresCluster {
  /** A URL of a fresh, empty database on this cluster. */
  createDatabase(): Promise<string>;
  stop(): void;
}

function findBinDir(): string | null {
  const configured = process.env.WATCHFLOOR_PG_BIN;
  if (configured) return existsSync(join(configured, 'initdb')) ? configured : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

const isRoot = process.getuid?.() === 0;

function runAsOwner(bin: string, args: string[]): void {
  const [file, fullArgs] = isRoot
    ? ['runuser', ['-u', 'postgres', '--', bin, ...args]]
    : [bin, args];
  execFileSync(file, fullArgs, { stdio: 'pipe' });
}

function ownerIds(): { uid: number; gid: number } | null {
  if (!isRoot) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function chownTree(path: string, ids: { uid: number; gid: number } | null): void {
  if (ids) execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, path]);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The reason PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailableReason(): string | null {
  if (!findBinDir()) {
    return 'PostgreSQL binaries not found (apt-get install postgresql, or set WATCHFLOOR_PG_BIN); the PostgreSQL runs of the server tests are skipped';
  }
  if (isRoot) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' });
    } catch {
      return 'running as root without a postgres user to run the cluster as; the PostgreSQL runs are skipped';
    }
  }
  return null;
}

function templateDir(binDir: string): string {
  const version = binDir.split('/').slice(-2, -1)[0] ?? 'pg';
  const template = join(tmpdir(), `watchfloor-pg-template-${version}-${process.getuid?.() ?? 0}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const building = mkdtempSync(join(tmpdir(), 'watchfloor-pg-initdb-'));
  const ids = ownerIds();
  chownTree(building, ids);
  const data = join(building, 'data');
  runAsOwner(join(binDir, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  try {
    renameSync(data, template); // atomic: a parallel worker that lost the race keeps the winner's
  } catch {
    // another worker made it first
  }
  rmSync(building, { recursive: true, force: true });
  return template;
}

export async function startPostgres(): Promise<PostgresCluster> {
  const binDir = findBinDir();
  if (!binDir) throw new Error(postgresUnavailableReason() ?? 'no PostgreSQL');
  const template = templateDir(binDir);
  const root = mkdtempSync(join(tmpdir(), 'watchfloor-pg-'));
  const ids = ownerIds();
  const data = join(root, 'data');
  cpSync(template, data, { recursive: true });
  chmodSync(data, 0o700);
  chownTree(root, ids);
  if (ids) chownSync(root, ids.uid, ids.gid);
  const port = await freePort();
  runAsOwner(join(binDir, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(root, 'postgres.log'),
    '-w',
    '-o',
    `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    'start',
  ]);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let counter = 0;
  return {
    async createDatabase() {
      counter += 1;
      const name = `watchfloor_test_${process.pid}_${counter}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      try {
        runAsOwner(join(binDir, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
