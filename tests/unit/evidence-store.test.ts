import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EvidenceError,
  EvidenceStore,
  MAX_EVIDENCE_NAME_LENGTH,
  checkSha256,
  sanitizeEvidenceName,
  sniffEvidenceType,
} from '../../main/evidence/evidence-store';

let folder: string;
let root: string;

beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'watchfloor-evidence-'));
  root = path.join(folder, 'evidence');
});

afterEach(() => {
  // Blobs are read-only; make them removable first.
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) fs.chmodSync(path.join(entry.parentPath, entry.name), 0o600);
  }
  fs.rmSync(folder, { recursive: true, force: true });
});

function writeSource(name: string, content: string | Buffer): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, content);
  return file;
}

const sha256Of = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

/** Every file under the root, relative to it: what the store left on disk. */
function filesUnder(directory: string): string[] {
  return fs
    .readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)))
    .sort();
}

async function rejection(promise: Promise<unknown>): Promise<EvidenceError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof EvidenceError))
    throw new Error(`expected an EvidenceError, got ${String(error)}`);
  return error;
}

describe('EvidenceStore.addFile', () => {
  it('stores a file under <root>/<aa>/<sha256>, read-only, with its size and type', async () => {
    const store = new EvidenceStore({ root });
    const content = '%PDF-1.7\nnot much of a pdf\n';
    const stored = await store.addFile(writeSource('report.pdf', content));
    const sha256 = sha256Of(content);
    expect(stored).toEqual({
      sha256,
      size: Buffer.byteLength(content),
      mimeType: 'application/pdf',
      name: 'report.pdf',
      deduplicated: false,
    });
    const blob = path.join(root, sha256.slice(0, 2), sha256);
    expect(fs.readFileSync(blob, 'utf8')).toBe(content);
    expect(fs.statSync(blob).mode & 0o222).toBe(0);
    expect(filesUnder(root)).toEqual([path.join(sha256.slice(0, 2), sha256)]);
  });

  it('stores the same content once: the second add is deduplicated', async () => {
    const store = new EvidenceStore({ root });
    const first = await store.addFile(writeSource('a.txt', 'same bytes'));
    const second = await store.addFile(writeSource('b.csv', 'same bytes'));
    expect(second).toMatchObject({ sha256: first.sha256, deduplicated: true, name: 'b.csv' });
    expect(filesUnder(root)).toHaveLength(1);
  });

  it('streams a 50 MB file, hashing it as it copies', async () => {
    const size = 50 * 1024 * 1024;
    const source = path.join(folder, 'big.bin');
    const hash = createHash('sha256');
    const block = Buffer.alloc(1024 * 1024);
    const descriptor = fs.openSync(source, 'w');
    for (let index = 0; index < 50; index += 1) {
      block.fill(index); // 50 distinct blocks, so the hash covers their order
      fs.writeSync(descriptor, block);
      hash.update(block);
    }
    fs.closeSync(descriptor);
    const store = new EvidenceStore({ root, limitMb: 64 });
    const stored = await store.addFile(source);
    expect(stored).toMatchObject({ sha256: hash.digest('hex'), size, deduplicated: false });
    expect(fs.statSync(path.join(root, stored.sha256.slice(0, 2), stored.sha256)).size).toBe(size);
    expect(await store.verify(stored.sha256)).toBe(true);
  });

  it('refuses a file over the limit with a clear message and keeps nothing', async () => {
    const store = new EvidenceStore({ root, limitMb: 1 });
    const error = await rejection(
      store.addFile(writeSource('big.bin', Buffer.alloc(1024 * 1024 + 1))),
    );
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe('file is larger than the evidence limit of 1 MB');
    expect(filesUnder(root)).toEqual([]);
  });

  it('accepts a file of exactly the limit', async () => {
    const store = new EvidenceStore({ root, limitMb: 1 });
    const stored = await store.addFile(writeSource('edge.bin', Buffer.alloc(1024 * 1024)));
    expect(stored.size).toBe(1024 * 1024);
  });

  it('refuses a folder and a missing file, saying which', async () => {
    const store = new EvidenceStore({ root });
    const notAFile = await rejection(store.addFile(folder));
    expect(notAFile).toMatchObject({ code: 'NOT_A_FILE', message: `${folder} is not a file` });
    const missing = await rejection(store.addFile(path.join(folder, 'nope.pdf')));
    expect(missing.code).toBe('SOURCE_UNREADABLE');
    expect(missing.message).toBe(`cannot read ${path.join(folder, 'nope.pdf')}: ENOENT`);
  });

  it('never uses the name as a path: a crafted name only changes the display name', async () => {
    const store = new EvidenceStore({ root });
    const stored = await store.addFile(
      writeSource('x.pdf', '%PDF-1.4'),
      '../../etc/passwd\u0000.pdf',
    );
    expect(stored.name).toBe('etc_passwd.pdf');
    expect(filesUnder(root)).toEqual([path.join(stored.sha256.slice(0, 2), stored.sha256)]);
    expect(fs.existsSync(path.join(folder, 'etc'))).toBe(false);
  });
});

describe('EvidenceStore.addStream', () => {
  it('writes as it reads: never more than a few chunks ahead of the disk', async () => {
    const store = new EvidenceStore({ root, limitMb: 64 });
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const temporary = path.join(root, 'tmp');
    let largestLead = 0;
    async function* megabytes() {
      for (let index = 0; index < 50; index += 1) {
        const onDisk = fs
          .readdirSync(temporary)
          .reduce((sum, name) => sum + fs.statSync(path.join(temporary, name)).size, 0);
        largestLead = Math.max(largestLead, index * chunk.length - onDisk);
        yield chunk;
      }
    }
    const stored = await store.addStream(
      Readable.from(megabytes(), { objectMode: false }),
      'upload.bin',
    );
    expect(stored.size).toBe(50 * chunk.length);
    // Bounded by the pipeline's buffers (a few chunks), not by the 50 MB the source yields.
    expect(largestLead).toBeLessThanOrEqual(4 * chunk.length);
  });

  it('stops a stream that runs past the limit and removes its partial file', async () => {
    const store = new EvidenceStore({ root, limitMb: 1 });
    let yielded = 0;
    async function* endless() {
      for (;;) {
        yielded += 1;
        yield Buffer.alloc(64 * 1024);
      }
    }
    const error = await rejection(
      store.addStream(Readable.from(endless(), { objectMode: false }), 'x'),
    );
    expect(error.message).toBe('file is larger than the evidence limit of 1 MB');
    expect(yielded).toBeLessThan(40);
    expect(filesUnder(root)).toEqual([]);
  });

  it('reports a failing source and keeps nothing', async () => {
    const store = new EvidenceStore({ root });
    async function* failing() {
      yield Buffer.from('partial');
      throw new Error('connection reset');
    }
    const error = await rejection(
      store.addStream(Readable.from(failing(), { objectMode: false }), 'x'),
    );
    expect(error).toMatchObject({
      code: 'SOURCE_UNREADABLE',
      message: 'the file could not be stored: connection reset',
    });
    expect(filesUnder(root)).toEqual([]);
  });
});

describe('EvidenceStore reading', () => {
  it('opens a stored blob by sha256', async () => {
    const store = new EvidenceStore({ root });
    const stored = await store.addFile(writeSource('n.txt', 'hello evidence'));
    const { stream, size } = store.openForReading(stored.sha256);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello evidence');
    expect(size).toBe(14);
    expect(store.has(stored.sha256)).toBe(true);
  });

  it.each([
    '../../../../etc/passwd',
    `..${path.sep}${'a'.repeat(62)}`,
    'A'.repeat(64),
    'a'.repeat(63),
    `${'a'.repeat(64)}/../x`,
    `${'a'.repeat(64)}\u0000`,
    '',
  ])('refuses the crafted sha256 %j before it touches a path', (sha256) => {
    const store = new EvidenceStore({ root });
    expect(() => store.openForReading(sha256)).toThrow(
      /is not a sha256 \(64 lower-case hexadecimal characters\)$/,
    );
    expect(() => store.has(sha256)).toThrow(EvidenceError);
    expect(() => checkSha256(sha256)).toThrow(EvidenceError);
  });

  it('says when no blob has that sha256', () => {
    const store = new EvidenceStore({ root });
    const sha256 = 'f'.repeat(64);
    expect(() => store.openForReading(sha256)).toThrow(`no evidence file with sha256 ${sha256}`);
    expect(store.has(sha256)).toBe(false);
  });

  it('verify notices a blob whose content changed on disk', async () => {
    const store = new EvidenceStore({ root });
    const stored = await store.addFile(writeSource('v.txt', 'original'));
    const blob = path.join(root, stored.sha256.slice(0, 2), stored.sha256);
    fs.chmodSync(blob, 0o600);
    fs.writeFileSync(blob, 'tampered');
    expect(await store.verify(stored.sha256)).toBe(false);
  });

  it('copies a blob for the system viewer under its sanitised name, never overwriting', async () => {
    const store = new EvidenceStore({ root });
    const stored = await store.addFile(
      writeSource('mail.eml', 'From: a@example.com\r\nTo: b@example.com\r\n\r\nhi'),
    );
    const viewFolder = path.join(folder, 'view');
    const first = await store.copyForViewing(stored.sha256, '../phish.eml', viewFolder);
    const second = await store.copyForViewing(stored.sha256, 'phish.eml', viewFolder);
    expect([path.basename(first), path.basename(second)]).toEqual(['phish.eml', 'phish (2).eml']);
    expect(path.dirname(first)).toBe(viewFolder);
    expect(fs.readFileSync(second, 'utf8')).toContain('From: a@example.com');
  });

  it('deletes a blob and says whether there was one', async () => {
    const store = new EvidenceStore({ root });
    const stored = await store.addFile(writeSource('d.txt', 'to delete'));
    expect(await store.deleteBlob(stored.sha256)).toBe(true);
    expect(await store.deleteBlob(stored.sha256)).toBe(false);
    expect(store.has(stored.sha256)).toBe(false);
  });

  it('removes partial files a crash left behind', async () => {
    const store = new EvidenceStore({ root });
    fs.writeFileSync(path.join(root, 'tmp', 'crashed.part'), 'half');
    expect(await store.removeLeftoverTemporaryFiles()).toBe(1);
    expect(filesUnder(root)).toEqual([]);
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() => new EvidenceStore({ root, limitMb: 0 })).toThrow(
      'the evidence limit must be a positive number of MB, not 0',
    );
  });
});

describe('sanitizeEvidenceName', () => {
  it.each([
    ['../../etc/passwd\u0000.pdf', 'etc_passwd.pdf'],
    ['..\\..\\Windows\\System32\\evil.dll', 'Windows_System32_evil.dll'],
    ['/absolute/path/report.pdf', 'absolute_path_report.pdf'],
    ['C:\\Users\\bob\\invoice.pdf', 'C__Users_bob_invoice.pdf'],
    ['..', 'evidence'],
    ['', 'evidence'],
    ['   ', 'evidence'],
    ['\u0000\u0001\u001f', 'evidence'],
    ['.hidden', 'hidden'],
    ['name...pdf', 'name.pdf'],
    ['trailing dots. . .', 'trailing dots'],
    ['tab\there', 'tabhere'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['zero\u200Bwidth.txt', 'zerowidth.txt'],
    ['what?<>|*".txt', 'what______.txt'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['com1.log', '_com1.log'],
    ['LPT9', '_LPT9'],
    ['console.log', 'console.log'],
    ['Rapport d’incident — été.pdf', 'Rapport d’incident — été.pdf'],
    ['e\u0301te\u0301.txt', 'été.txt'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeEvidenceName(input)).toBe(expected);
  });

  it(`cuts to ${MAX_EVIDENCE_NAME_LENGTH} characters, keeping the extension`, () => {
    const long = `${'a'.repeat(300)}.pdf`;
    const cut = sanitizeEvidenceName(long);
    expect([...cut]).toHaveLength(MAX_EVIDENCE_NAME_LENGTH);
    expect(cut.endsWith('.pdf')).toBe(true);
  });

  it('never cuts a character in half', () => {
    const cut = sanitizeEvidenceName('😀'.repeat(250));
    expect([...cut]).toHaveLength(MAX_EVIDENCE_NAME_LENGTH);
    expect(cut).toBe('😀'.repeat(MAX_EVIDENCE_NAME_LENGTH));
  });

  it('gives a name without separators or control characters for any input (seeded random)', () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const alphabet = [
      '/',
      '\\',
      '.',
      '..',
      '\u0000',
      '\u001f',
      ' ',
      'a',
      'CON',
      ':',
      '\u202E',
      'é',
      '😀',
      '\n',
    ];
    for (let run = 0; run < 2000; run += 1) {
      const name = Array.from(
        { length: next() % 40 },
        () => alphabet[next() % alphabet.length],
      ).join('');
      const safe = sanitizeEvidenceName(name);
      expect(safe).not.toBe('');
      // eslint-disable-next-line no-control-regex -- control characters are what it looks for
      expect(safe).not.toMatch(/[/\\\u0000-\u001f\u202e]/);
      expect(safe).not.toMatch(/^\.|\.\.|[. ]$/);
      expect(path.basename(safe)).toBe(safe);
      expect(sanitizeEvidenceName(safe)).toBe(safe);
    }
  });
});

describe('sniffEvidenceType', () => {
  const pe = Buffer.alloc(0x100);
  pe.write('MZ', 0, 'latin1');
  pe.writeUInt32LE(0x80, 0x3c);
  pe.write('PE\u0000\u0000', 0x80, 'latin1');

  it.each<[string, Buffer, string, string]>([
    ['a PDF', Buffer.from('%PDF-1.7\n'), 'x.bin', 'application/pdf'],
    ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'x', 'image/png'],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'x', 'image/jpeg'],
    ['a ZIP', Buffer.from('PK\u0003\u0004rest', 'latin1'), 'x.bin', 'application/zip'],
    [
      'a DOCX (ZIP by content, Word by name)',
      Buffer.from('PK\u0003\u0004', 'latin1'),
      'a.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    [
      'an Outlook .msg',
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      'm.msg',
      'application/vnd.ms-outlook',
    ],
    ['a Windows program', pe, 'invoice.pdf', 'application/vnd.microsoft.portable-executable'],
    [
      'text that starts with MZ',
      Buffer.from('MZ is not a program, just text.'),
      'n.txt',
      'text/plain',
    ],
    [
      'an eml by its headers',
      Buffer.from(
        'Return-Path: <a@example.com>\r\nReceived: from mx\r\n\tby mx2\r\nFrom: a@example.com\r\nSubject: hi\r\n\r\nbody',
      ),
      'no-extension',
      'message/rfc822',
    ],
    [
      'text that only looks like one header',
      Buffer.from('From: me\nand then prose follows here'),
      'notes',
      'application/octet-stream',
    ],
    ['a CSV by its extension', Buffer.from('a,b\n1,2\n'), 'export.CSV', 'text/csv'],
    ['an eml by its extension', Buffer.from('garbled'), 'x.eml', 'message/rfc822'],
    ['anything else', Buffer.from([1, 2, 3]), 'blob', 'application/octet-stream'],
    ['an empty file', Buffer.alloc(0), 'empty', 'application/octet-stream'],
  ])('recognises %s', (_what, head, name, type) => {
    expect(sniffEvidenceType(head, name)).toBe(type);
  });

  it('types a stored eml from its content', async () => {
    const store = new EvidenceStore({ root });
    const stored = await store.addFile(
      writeSource(
        'saved-message',
        'Received: from mx.example.com\r\nFrom: x@example.com\r\nTo: y@example.com\r\n\r\nhi',
      ),
    );
    expect(stored.mimeType).toBe('message/rfc822');
  });
});
