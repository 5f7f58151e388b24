import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The evidence locker's file store (CAS-1, issue 13 §5): files kept content-addressed by
 * sha256 under a root folder (the app's data folder), `<root>/<first two hex>/<sha256>`.
 *
 * - A file is streamed from its source through the hash into a temporary file in `<root>/tmp`
 *   (same file system, so the final rename is atomic) and never read into memory whole.
 * - The same content added twice is stored once (`deduplicated: true` the second time).
 * - Names are metadata, never paths: the store knows blobs only by sha256, and a sha256 given
 *   to it is checked to be 64 lower-case hex characters before it goes near a path.
 * - Over the size limit, the copy stops and nothing is kept: "file is larger than the evidence
 *   limit of N MB".
 * - Stored blobs are made read-only: evidence does not change after it is taken.
 */

export type EvidenceErrorCode =
  'TOO_LARGE' | 'NOT_A_FILE' | 'SOURCE_UNREADABLE' | 'BAD_HASH' | 'NOT_FOUND';

/** An evidence store error with a code the IPC layer maps (TOO_LARGE → BAD_REQUEST, …). */
export class EvidenceError extends Error {
  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EvidenceError';
  }
}

/** Default evidence size limit, the same as browser mode's upload limit (--max-upload-mb). */
export const DEFAULT_EVIDENCE_LIMIT_MB = 200;
const BYTES_PER_MB = 1024 * 1024;
const SNIFF_BYTES = 4096;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

export interface StoredEvidenceFile {
  sha256: string;
  size: number;
  mimeType: string;
  /** The sanitised display name (sanitizeEvidenceName). */
  name: string;
  /** True when a file with this content was already stored. */
  deduplicated: boolean;
}

export interface EvidenceStoreOptions {
  /** Folder the blobs live in; created when missing. */
  root: string;
  /** Size limit in MB (MiB, as file managers count them); DEFAULT_EVIDENCE_LIMIT_MB when not given. */
  limitMb?: number;
}

/** A sha256 as the store accepts it, or an EvidenceError: no other text becomes part of a path. */
export function checkSha256(sha256: string): string {
  if (!SHA256_PATTERN.test(sha256)) {
    const shown = sha256.length > 80 ? `${sha256.slice(0, 80)}…` : sha256;
    throw new EvidenceError(
      'BAD_HASH',
      `'${shown}' is not a sha256 (64 lower-case hexadecimal characters)`,
    );
  }
  return sha256;
}

export class EvidenceStore {
  readonly root: string;
  readonly limitMb: number;
  private readonly temporaryFolder: string;

  constructor(options: EvidenceStoreOptions) {
    const limitMb = options.limitMb ?? DEFAULT_EVIDENCE_LIMIT_MB;
    if (!Number.isFinite(limitMb) || limitMb <= 0) {
      throw new Error(`the evidence limit must be a positive number of MB, not ${limitMb}`);
    }
    this.root = path.resolve(options.root);
    this.limitMb = limitMb;
    this.temporaryFolder = path.join(this.root, 'tmp');
    fs.mkdirSync(this.temporaryFolder, { recursive: true, mode: 0o700 });
  }

  get limitBytes(): number {
    return Math.floor(this.limitMb * BYTES_PER_MB);
  }

  /**
   * Stores the file at `sourcePath` (a regular file; streamed, hashed while copied). The display
   * name is `name` when given, else the source's base name, sanitised either way.
   */
  async addFile(
    sourcePath: string,
    name: string = path.basename(sourcePath),
  ): Promise<StoredEvidenceFile> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(sourcePath, 'r');
    } catch (error) {
      throw new EvidenceError(
        'SOURCE_UNREADABLE',
        `cannot read ${sourcePath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    try {
      // Checked on the open handle, not the path, so the file cannot be swapped in between.
      const stat = await handle.stat();
      if (!stat.isFile()) {
        throw new EvidenceError('NOT_A_FILE', `${sourcePath} is not a file`);
      }
      if (stat.size > this.limitBytes) throw this.tooLarge();
      const stream = handle.createReadStream({ autoClose: false, highWaterMark: 1024 * 1024 });
      return await this.addStream(stream, name);
    } finally {
      await handle.close();
    }
  }

  /**
   * Stores what `source` yields (e.g. an upload), with the same limit, hashing and de-duplication
   * as addFile. The limit is enforced while streaming: a source that runs past it is stopped.
   */
  async addStream(source: Readable, name: string): Promise<StoredEvidenceFile> {
    const displayName = sanitizeEvidenceName(name);
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    const limit = this.limitBytes;
    const tooLarge = () => this.tooLarge();
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > limit) {
          callback(tooLarge());
          return;
        }
        hash.update(chunk);
        if (headLength < SNIFF_BYTES) {
          head.push(chunk.subarray(0, SNIFF_BYTES - headLength));
          headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
        }
        callback(null, chunk);
      },
    });
    const temporaryPath = path.join(this.temporaryFolder, `${randomUUID()}.part`);
    try {
      await pipeline(
        source,
        meter,
        fs.createWriteStream(temporaryPath, { flags: 'wx', mode: 0o600 }),
      );
      await fsyncFile(temporaryPath);
      const sha256 = hash.digest('hex');
      const mimeType = sniffEvidenceType(Buffer.concat(head), displayName);
      const deduplicated = await this.moveIntoPlace(temporaryPath, sha256);
      return { sha256, size, mimeType, name: displayName, deduplicated };
    } catch (error) {
      await fs.promises.rm(temporaryPath, { force: true });
      if (error instanceof EvidenceError) throw error;
      throw new EvidenceError(
        'SOURCE_UNREADABLE',
        `the file could not be stored: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }

  /** Whether a blob with this sha256 is stored. */
  has(sha256: string): boolean {
    return fs.existsSync(this.blobPath(sha256));
  }

  /** A read stream over the stored blob, and its size. */
  openForReading(sha256: string): { stream: fs.ReadStream; size: number } {
    const blobPath = this.blobPath(sha256);
    let size: number;
    try {
      size = fs.statSync(blobPath).size;
    } catch {
      throw new EvidenceError('NOT_FOUND', `no evidence file with sha256 ${sha256}`);
    }
    return { stream: fs.createReadStream(blobPath), size };
  }

  /**
   * Copies a blob into `folder` under its display name, for the system viewer (which needs a
   * path with the right extension). `folder` should be the app's private temp folder. Returns the
   * copy's path; an existing file of that name is never overwritten (`name (2).pdf`).
   */
  async copyForViewing(sha256: string, name: string, folder: string): Promise<string> {
    const source = this.blobPath(sha256);
    if (!fs.existsSync(source)) {
      throw new EvidenceError('NOT_FOUND', `no evidence file with sha256 ${sha256}`);
    }
    const safeName = sanitizeEvidenceName(name);
    const extension = path.extname(safeName);
    const stem = safeName.slice(0, safeName.length - extension.length);
    const directory = path.resolve(folder);
    await fs.promises.mkdir(directory, { recursive: true, mode: 0o700 });
    for (let attempt = 1; attempt <= 1000; attempt += 1) {
      const candidate = path.join(
        directory,
        attempt === 1 ? safeName : `${stem} (${attempt})${extension}`,
      );
      // Belt and braces: a sanitised name has no separators, so this never fires.
      if (path.dirname(candidate) !== directory)
        throw new Error('evidence name escaped its folder');
      try {
        await fs.promises.copyFile(source, candidate, fs.constants.COPYFILE_EXCL);
        return candidate;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw new Error(`too many copies of ${safeName} in ${directory}`);
  }

  /** Re-hashes a stored blob: true when its content still matches its name (chain of custody). */
  async verify(sha256: string): Promise<boolean> {
    const { stream } = this.openForReading(sha256);
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return hash.digest('hex') === sha256;
  }

  /**
   * Removes a blob. Blobs are shared by every evidence item with the same content, so the caller
   * removes one only when no evidence item or task log refers to it any more.
   */
  async deleteBlob(sha256: string): Promise<boolean> {
    const blobPath = this.blobPath(sha256);
    try {
      await fs.promises.chmod(blobPath, 0o600); // read-only files cannot be removed on Windows
      await fs.promises.rm(blobPath);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Removes partial files a crash left behind; call once at start-up, before any add. */
  async removeLeftoverTemporaryFiles(): Promise<number> {
    const names = await fs.promises.readdir(this.temporaryFolder);
    const partials = names.filter((name) => name.endsWith('.part'));
    await Promise.all(
      partials.map((name) =>
        fs.promises.rm(path.join(this.temporaryFolder, name), { force: true }),
      ),
    );
    return partials.length;
  }

  private blobPath(sha256: string): string {
    const checked = checkSha256(sha256);
    return path.join(this.root, checked.slice(0, 2), checked);
  }

  private tooLarge(): EvidenceError {
    return new EvidenceError(
      'TOO_LARGE',
      `file is larger than the evidence limit of ${this.limitMb} MB`,
    );
  }

  /** Renames the finished temporary file to its blob path; true when the blob already existed. */
  private async moveIntoPlace(temporaryPath: string, sha256: string): Promise<boolean> {
    const blobPath = this.blobPath(sha256);
    if (fs.existsSync(blobPath)) {
      await fs.promises.rm(temporaryPath, { force: true });
      return true;
    }
    await fs.promises.mkdir(path.dirname(blobPath), { recursive: true, mode: 0o700 });
    await fs.promises.chmod(temporaryPath, 0o400);
    try {
      await fs.promises.rename(temporaryPath, blobPath);
    } catch (error) {
      // Windows refuses to rename over a file: another add of the same content won the race.
      if (fs.existsSync(blobPath)) {
        await fs.promises.chmod(temporaryPath, 0o600);
        await fs.promises.rm(temporaryPath, { force: true });
        return true;
      }
      throw error;
    }
    return false;
  }
}

async function fsyncFile(filePath: string): Promise<void> {
  const handle = await fs.promises.open(filePath, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/** Longest sanitised name, in characters (code points). */
export const MAX_EVIDENCE_NAME_LENGTH = 200;
const FALLBACK_NAME = 'evidence';
/** C0 and C1 controls, DEL; bidi overrides and isolates (`invoice\u202Efdp.exe`); zero-width. */
const INVISIBLE_OR_CONTROL =
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;
const WINDOWS_RESERVED = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)$/i;

/**
 * A display name safe to show and to use as a file name inside a folder we choose (never as a
 * path): path segments joined by `_` with `.`/`..` segments dropped, control, bidi-override and
 * zero-width characters removed, characters Windows forbids replaced by `_`, runs of dots
 * collapsed, leading dots and trailing dots and spaces trimmed, a Windows device name (`CON`,
 * `nul.txt`) prefixed with `_`, cut to 200 characters keeping the extension, and never empty.
 */
export function sanitizeEvidenceName(name: string): string {
  const visible = name.normalize('NFC').replace(INVISIBLE_OR_CONTROL, '');
  const segments = visible
    .split(/[/\\]+/)
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '' && !/^\.+$/.test(segment));
  let result = segments
    .join('_')
    .replace(WINDOWS_FORBIDDEN, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  const stem = result.split('.')[0] ?? '';
  if (WINDOWS_RESERVED.test(stem.trim())) result = `_${result}`;
  result = truncateKeepingExtension(result, MAX_EVIDENCE_NAME_LENGTH);
  return result === '' ? FALLBACK_NAME : result;
}

function truncateKeepingExtension(name: string, maxLength: number): string {
  const characters = [...name]; // code points: never cut a surrogate pair in half
  if (characters.length <= maxLength) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  if (extension.length > 0 && extension.length <= 20) {
    const stem = characters
      .slice(0, maxLength - extension.length)
      .join('')
      .replace(/[.\s]+$/, '');
    return `${stem}${extension.join('')}`;
  }
  return characters
    .slice(0, maxLength)
    .join('')
    .replace(/[.\s]+$/, '');
}

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

const OOXML_TYPES: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  docm: 'application/vnd.ms-word.document.macroEnabled.12',
  xlsm: 'application/vnd.ms-excel.sheet.macroEnabled.12',
  pptm: 'application/vnd.ms-powerpoint.presentation.macroEnabled.12',
  jar: 'application/java-archive',
  apk: 'application/vnd.android.package-archive',
};
const OLE_TYPES: Record<string, string> = {
  msg: 'application/vnd.ms-outlook',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  msi: 'application/x-msi',
};
const EXTENSION_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  eml: 'message/rfc822',
  msg: 'application/vnd.ms-outlook',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  xml: 'application/xml',
  html: 'text/html',
  htm: 'text/html',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  gz: 'application/gzip',
  '7z': 'application/x-7z-compressed',
  rar: 'application/vnd.rar',
  pcap: 'application/vnd.tcpdump.pcap',
  pcapng: 'application/vnd.tcpdump.pcap',
  evtx: 'application/x-ms-evtx',
  ...OOXML_TYPES,
  ...OLE_TYPES,
};

const MAGIC_TYPES: ReadonlyArray<readonly [number[], string]> = [
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'application/pdf'], // %PDF-
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
  [[0xff, 0xd8, 0xff], 'image/jpeg'],
  [[0x47, 0x49, 0x46, 0x38], 'image/gif'], // GIF8
  [[0x1f, 0x8b], 'application/gzip'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'application/x-7z-compressed'],
  [[0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], 'application/vnd.rar'],
  [[0x7f, 0x45, 0x4c, 0x46], 'application/x-elf'],
  [[0xd4, 0xc3, 0xb2, 0xa1], 'application/vnd.tcpdump.pcap'],
  [[0xa1, 0xb2, 0xc3, 0xd4], 'application/vnd.tcpdump.pcap'],
  [[0x0a, 0x0d, 0x0d, 0x0a], 'application/vnd.tcpdump.pcap'], // pcapng
];
const ZIP_MAGIC = [0x50, 0x4b];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** Header names that open an RFC 5322 message as mail clients and gateways save it. */
const MAIL_HEADER =
  /^(?:Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To|Reply-To|X-[A-Za-z0-9-]+|ARC-[A-Za-z-]+|DKIM-Signature|Authentication-Results|Received-SPF|Thread-Topic|Content-Type):[ \t]/i;

/** `MZ` with the `PE\0\0` signature where its header points: a text starting "MZ" is no program. */
function isPortableExecutable(head: Buffer): boolean {
  if (!startsWith(head, [0x4d, 0x5a]) || head.length < 0x40) return false;
  const offset = head.readUInt32LE(0x3c);
  return offset + 4 <= head.length && startsWith(head.subarray(offset), [0x50, 0x45, 0, 0]);
}

function startsWith(bytes: Buffer, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, index) => bytes[index] === byte);
}

/** Whether the first bytes read as mail headers: each line a header or its continuation. */
function looksLikeMail(head: Buffer): boolean {
  const text = head.toString('latin1');
  const headerBlock = text.split(/\r?\n\r?\n/)[0] ?? '';
  const lines = headerBlock.split(/\r?\n/).slice(0, 20);
  if (lines.length < 2 || !MAIL_HEADER.test(lines[0] ?? '')) return false;
  // Without the blank line that ends the headers, a full sniff buffer may end mid-line; a
  // shorter one is the whole file, so its last line counts.
  const cutMidLine = !/\r?\n\r?\n/.test(text) && head.length >= SNIFF_BYTES;
  const linesToCheck = cutMidLine ? lines.slice(0, -1) : lines;
  if (linesToCheck.length < 2) return false;
  const headerLine = /^[!-9;-~]+:/; // RFC 5322 field name: printable ASCII but colon
  const isHeaderOrFolded = (line: string) => headerLine.test(line) || /^[ \t]/.test(line);
  return (
    linesToCheck.every(isHeaderOrFolded) && /^(?:From|Received|Message-ID):/im.test(headerBlock)
  );
}

/**
 * The MIME type of a file from its first bytes (PDF, PNG, JPEG, GIF, ZIP and its Office/Java
 * kin, OLE and its Outlook/Office kin, gzip, 7z, RAR, ELF, PE, pcap, and eml by its headers),
 * else from the name's extension, else application/octet-stream.
 */
export function sniffEvidenceType(head: Buffer, name: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  for (const [magic, type] of MAGIC_TYPES) if (startsWith(head, magic)) return type;
  if (isPortableExecutable(head)) return 'application/vnd.microsoft.portable-executable';
  if (startsWith(head, ZIP_MAGIC) && (head[2] === 0x03 || head[2] === 0x05 || head[2] === 0x07)) {
    return OOXML_TYPES[extension] ?? 'application/zip';
  }
  if (startsWith(head, OLE_MAGIC)) return OLE_TYPES[extension] ?? 'application/x-ole-storage';
  if (looksLikeMail(head)) return 'message/rfc822';
  return EXTENSION_TYPES[extension] ?? 'application/octet-stream';
}
