import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { processIsAlive } from '../store/local/job-records';

/**
 * Browser mode's uploaded alert files (issue 11.3): each upload is streamed to a file of its own
 * in a folder only this user can open (mode 0700), imported from there by path like any file, and
 * removed when its import job ends. Nothing is held in memory as a string.
 */

/** The default limit of one uploaded file; `npm run web -- --max-upload-mb N` changes it. */
export const DEFAULT_MAX_UPLOAD_MB = 200;

const FOLDER_PREFIX = 'watchfloor-uploads-';
/** An upload never claimed by an import (the page went away meanwhile) goes after this. */
const UNCLAIMED_UPLOAD_MS = 60 * 60 * 1000;

export interface UploadedFile {
  id: string;
  /** the name the browser gave, shown in the job and its errors */
  name: string;
  path: string;
  size: number;
}

export class UploadTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`file is larger than ${formatMegabytes(maxBytes)} MB; import it with the CLI`);
    this.name = 'UploadTooLargeError';
  }
}

function formatMegabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toLocaleString('en', { maximumFractionDigits: 2 });
}

/**
 * Removes the upload folders that processes which are gone (killed mid-import) left in `parent`:
 * only this user's own folders (never one reached through a symlink), named with a dead pid.
 */
export function removeStaleUploadFolders(parent: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const match = new RegExp(`^${FOLDER_PREFIX}(\\d+)-`).exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processIsAlive(pid)) continue;
    const folder = path.join(parent, name);
    try {
      const stat = fs.lstatSync(folder);
      const ours = typeof process.getuid !== 'function' || stat.uid === process.getuid();
      if (stat.isDirectory() && ours) fs.rmSync(folder, { recursive: true, force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

export class UploadFolder {
  private readonly uploads = new Map<string, UploadedFile & { receivedAt: number }>();

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** A new private folder (mkdtemp creates it 0700) under `parent`, the OS temp folder. */
  static create(options: { maxBytes: number; parent?: string }): UploadFolder {
    const parent = options.parent ?? os.tmpdir();
    removeStaleUploadFolders(parent);
    const dir = fs.mkdtempSync(path.join(parent, `${FOLDER_PREFIX}${process.pid}-`));
    fs.chmodSync(dir, 0o700); // mkdtemp's 0700 already; said again for platforms that differ
    return new UploadFolder(dir, options.maxBytes);
  }

  /**
   * Streams `body` into a new file of its own; more than `maxBytes` stops the stream, removes
   * the file and throws UploadTooLargeError.
   */
  async receive(name: string, body: Readable): Promise<UploadedFile> {
    this.removeUnclaimed();
    const id = crypto.randomUUID();
    const file = path.join(this.dir, id);
    let size = 0;
    const maxBytes = this.maxBytes;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes) callback(new UploadTooLargeError(maxBytes));
        else callback(null, chunk);
      },
    });
    try {
      await pipeline(body, limit, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      fs.rmSync(file, { force: true });
      throw err;
    }
    const upload = { id, name, path: file, size, receivedAt: Date.now() };
    this.uploads.set(id, upload);
    return { id, name, path: file, size };
  }

  /** Hands the upload to its import, which removes it with `discard` when done; once only. */
  claim(id: string): UploadedFile | null {
    const upload = this.uploads.get(id);
    if (!upload) return null;
    this.uploads.delete(id);
    return { id: upload.id, name: upload.name, path: upload.path, size: upload.size };
  }

  has(id: string): boolean {
    return this.uploads.has(id);
  }

  discard(upload: UploadedFile): void {
    this.uploads.delete(upload.id);
    fs.rmSync(upload.path, { force: true });
  }

  /** Removes the folder and everything left in it (the server is closing). */
  dispose(): void {
    this.uploads.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private removeUnclaimed(): void {
    const before = Date.now() - UNCLAIMED_UPLOAD_MS;
    for (const upload of this.uploads.values()) {
      if (upload.receivedAt < before) this.discard(upload);
    }
  }
}
