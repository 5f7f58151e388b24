import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DATA_TYPES,
  MAX_OBSERVABLE_LINES,
  dataTypeSchema,
  detectHashKind,
  detectObservableType,
  normalizeObservable,
  observableFromEntity,
  observableKey,
  parseObservableLines,
  refang,
  type DataType,
} from '../../shared/domain/observables';

const detectedAs = (value: string) => {
  const detected = detectObservableType(value);
  return detected && { dataType: detected.dataType, normalized: detected.normalized };
};

describe('DATA_TYPES', () => {
  it('lists the §1 observable data types and the zod enum accepts exactly those', () => {
    expect(DATA_TYPES).toEqual([
      'ip',
      'domain',
      'fqdn',
      'url',
      'mail',
      'mail-subject',
      'hash',
      'filename',
      'file',
      'registry',
      'user-agent',
      'hostname',
      'user',
      'uri_path',
      'autonomous-system',
      'other',
    ]);
    expect(dataTypeSchema.safeParse('ip').success).toBe(true);
    expect(dataTypeSchema.safeParse('IP').success).toBe(false);
  });
});

describe('refang', () => {
  it.each([
    ['hxxp://evil.com', 'http://evil.com'],
    ['hxxps://evil.com', 'https://evil.com'],
    ['hXXps://evil.com', 'https://evil.com'],
    ['h**p://evil.com', 'http://evil.com'],
    ['fxp://files.example.org', 'ftp://files.example.org'],
    ['1.2.3[.]4', '1.2.3.4'],
    ['evil(.)com', 'evil.com'],
    ['evil{.}com', 'evil.com'],
    ['evil[dot]com', 'evil.com'],
    ['evil [.] com', 'evil.com'],
    ['evil(DOT)com', 'evil.com'],
    ['http[:]//evil.com', 'http://evil.com'],
    ['hxxp[://]evil.com', 'http://evil.com'],
    ['jdoe[@]corp.com', 'jdoe@corp.com'],
    ['jdoe[at]corp[.]com', 'jdoe@corp.com'],
    ['jdoe (at) corp.com', 'jdoe@corp.com'],
    ['evil.com[/]a', 'evil.com/a'],
    ['evil[[.]]com', 'evil.com'],
  ])('refangs %j to %j', (input, expected) => {
    expect(refang(input)).toBe(expected);
  });

  it('leaves words that only contain the letters alone (hxxp only before ://)', () => {
    expect(refang('fxpool at dot')).toBe('fxpool at dot');
  });

  it('is idempotent (property, over strings built from defang markers)', () => {
    const pieces = fc.constantFrom(
      '[.]',
      '(.)',
      '{.}',
      '[dot]',
      '[:]',
      '[://]',
      '[@]',
      '[at]',
      '(at)',
      '[/]',
      'hxxp://',
      'hxxps://',
      'fxp://',
      '[',
      ']',
      '(',
      ')',
      '.',
      ' ',
      'a',
      'x',
      'h',
      'p',
      ':',
      '/',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        const once = refang(parts.join(''));
        expect(refang(once)).toBe(once);
      }),
      { numRuns: 2000, seed: 1313 },
    );
  });

  it('is idempotent on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const once = refang(text);
        expect(refang(once)).toBe(once);
      }),
      { numRuns: 1000, seed: 4242 },
    );
  });
});

describe('detectObservableType', () => {
  it.each<[string, DataType, string]>([
    ['1.2.3.4', 'ip', '1.2.3.4'],
    [' 010.002.003.004 ', 'ip', '10.2.3.4'],
    ['2001:DB8:0:0:0:0:0:1', 'ip', '2001:db8::1'],
    ['[2001:db8::1]', 'ip', '2001:db8::1'],
    ['::ffff:10.0.0.1', 'ip', '10.0.0.1'],
    ['evil.com', 'domain', 'evil.com'],
    ['EVIL.COM.', 'domain', 'evil.com'],
    ['example.co.uk', 'domain', 'example.co.uk'],
    ['www.evil.com', 'fqdn', 'www.evil.com'],
    ['mail.example.co.uk', 'fqdn', 'mail.example.co.uk'],
    ['a.b.c.evil.com', 'fqdn', 'a.b.c.evil.com'],
    ['Bücher.de', 'domain', 'bücher.de'],
    ['xn--bcher-kva.de', 'domain', 'xn--bcher-kva.de'],
    ['https://Evil.COM/Path?Q=A', 'url', 'https://evil.com/Path?Q=A'],
    ['HTTP://user:Pw@Evil.com:8080/x', 'url', 'http://user:Pw@evil.com:8080/x'],
    ['http://[2001:db8::1]:8080/', 'url', 'http://[2001:db8::1]:8080/'],
    ['http://intranet/login', 'url', 'http://intranet/login'],
    ['evil.com/a.php', 'url', 'evil.com/a.php'],
    ['1.2.3.4/payload.bin', 'url', '1.2.3.4/payload.bin'],
    ['John.Doe@Example.com', 'mail', 'john.doe@example.com'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'hash', 'd41d8cd98f00b204e9800998ecf8427e'],
    [
      'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
      'hash',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
    ['HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'registry', ''],
    ['HKEY_CURRENT_USER\\Software\\Evil', 'registry', 'hkey_current_user\\software\\evil'],
    ['CORP\\jdoe', 'user', 'corp\\jdoe'],
    ['NT AUTHORITY\\SYSTEM', 'user', 'nt authority\\system'],
    ['jdoe@CORP', 'user', 'jdoe@corp'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'user-agent', ''],
    ['curl/8.5.0', 'user-agent', 'curl/8.5.0'],
    ['python-requests/2.31.0', 'user-agent', 'python-requests/2.31.0'],
    ['/wp-login.php?action=lostpassword', 'uri_path', '/wp-login.php?action=lostpassword'],
    ['AS15169', 'autonomous-system', 'AS15169'],
    ['as 015169', 'autonomous-system', 'AS15169'],
    ['ASN64512', 'autonomous-system', 'AS64512'],
    ['WS-042', 'hostname', 'ws-042'],
    ['DC01', 'hostname', 'dc01'],
    ['invoice.pdf.exe', 'filename', 'invoice.pdf.exe'],
    ['Invoice 2024.PDF', 'filename', 'Invoice 2024.PDF'],
    ['payload.zip', 'filename', 'payload.zip'],
    ['C:\\Users\\bob\\AppData\\evil.exe', 'filename', 'C:\\Users\\bob\\AppData\\evil.exe'],
    ['\\\\fileserver\\share\\run.bat', 'filename', '\\\\fileserver\\share\\run.bat'],
    ['10.0.0.0/8', 'other', '10.0.0.0/8'],
    ['1.2.3.4:443', 'other', '1.2.3.4:443'],
    ['1.2.3', 'other', '1.2.3'],
    ['finance', 'other', 'finance'],
    ['Urgent: invoice overdue', 'other', 'Urgent: invoice overdue'],
    ['1:2:3', 'other', '1:2:3'],
  ])('detects %j as %s', (value, dataType, normalized) => {
    const detected = detectObservableType(value);
    expect(detected?.dataType).toBe(dataType);
    if (normalized !== '') expect(detected?.normalized).toBe(normalized);
  });

  it.each<[string, string, string]>([
    ['1.2.3[.]4', 'ip', '1.2.3.4'],
    ['hxxps://evil[.]com/a', 'url', 'https://evil.com/a'],
    ['hxxp[:]//evil(.)com/a', 'url', 'http://evil.com/a'],
    ['evil[.]com', 'domain', 'evil.com'],
    ['www[.]evil[dot]com', 'fqdn', 'www.evil.com'],
    ['jdoe[at]corp[.]com', 'mail', 'jdoe@corp.com'],
    ['fxp://files[.]example[.]org/x', 'url', 'ftp://files.example.org/x'],
  ])('accepts the defanged %j as the %s %j', (input, dataType, value) => {
    const detected = detectObservableType(input);
    expect(detected).toMatchObject({ dataType, value });
  });

  it('keeps defang-looking text of other types as typed', () => {
    expect(detectObservableType('Meeting [at] noon')).toMatchObject({
      dataType: 'other',
      value: 'Meeting [at] noon',
    });
  });

  it('drops zero-width characters and the BOM that ride along with copied text', () => {
    expect(detectedAs('\uFEFFevil\u200B.com\u200D')).toEqual({
      dataType: 'domain',
      normalized: 'evil.com',
    });
  });

  it('returns null for an empty or blank value', () => {
    expect(detectObservableType('')).toBeNull();
    expect(detectObservableType(' \t ')).toBeNull();
  });

  it('gives the same type and key when run again on the value it stored (property)', () => {
    const valueParts = fc.constantFrom(
      'evil',
      '.',
      'com',
      'co.uk',
      '[.]',
      'hxxp://',
      'https://',
      '/',
      'a',
      '1',
      '2.3',
      '@',
      '[at]',
      '\\',
      'HKLM',
      'CORP',
      ':',
      'AS',
      ' ',
      'exe',
      'Mozilla/5.0',
      'fffe',
      '::',
      '-',
    );
    fc.assert(
      fc.property(fc.array(valueParts, { minLength: 1, maxLength: 12 }), (parts) => {
        const first = detectObservableType(parts.join(''));
        if (first === null) return;
        const again = detectObservableType(first.value);
        expect(again && [again.dataType, again.normalized]).toEqual([
          first.dataType,
          first.normalized,
        ]);
      }),
      { numRuns: 3000, seed: 777 },
    );
  });
});

describe('detectHashKind', () => {
  it.each([
    ['a'.repeat(32), 'md5'],
    ['a'.repeat(40), 'sha1'],
    ['a'.repeat(56), 'sha224'],
    ['a'.repeat(64), 'sha256'],
    ['a'.repeat(96), 'sha384'],
    ['a'.repeat(128), 'sha512'],
    [`T1${'A'.repeat(70)}`, 'tlsh'],
    ['96:s4Ud1Lj96tHHlZDrwciQmA+4uy1I0G4HYuL8N3TzS:sF1LjEtHHlZDrwciQmA+4uy1I0G4HYu', 'ssdeep'],
    ['3:a+KV:a+KV', 'ssdeep'],
  ])('recognises %j as %s', (value, kind) => {
    expect(detectHashKind(value)).toBe(kind);
  });

  it.each([['a'.repeat(33)], ['g'.repeat(32)], ['5:abc:def'], ['']])(
    'refuses %j (wrong length, not hex, or an ssdeep block size that is not 3·2^n)',
    (value) => {
      expect(detectHashKind(value)).toBeNull();
    },
  );

  it('case-folds hex digests and keeps the case of ssdeep (base64)', () => {
    const upper = normalizeObservable('hash', 'D41D8CD98F00B204E9800998ECF8427E');
    expect(upper).toMatchObject({
      normalized: 'd41d8cd98f00b204e9800998ecf8427e',
      hashKind: 'md5',
    });
    expect(normalizeObservable('hash', '3:AbC:dEf')).toMatchObject({ normalized: '3:AbC:dEf' });
  });
});

describe('normalizeObservable', () => {
  it.each<[DataType, string, string]>([
    ['ip', '1.2.3', "'1.2.3' is not an ip"],
    ['ip', '10.0.0.1:443', "'10.0.0.1:443' is not an ip"],
    ['domain', 'not a domain', "'not a domain' is not a domain"],
    ['fqdn', 'localhost', "'localhost' is not an fqdn"],
    ['url', 'evil', "'evil' is not a url"],
    ['url', 'javascript://x', "'javascript://x' is not a url"],
    ['mail', 'jdoe@', "'jdoe@' is not a mail"],
    [
      'hash',
      'abc',
      "'abc' is not a hash (md5, sha1, sha224, sha256, sha384, sha512, TLSH or ssdeep)",
    ],
    ['autonomous-system', 'AS-1', "'AS-1' is not an autonomous system"],
    [
      'registry',
      'Software\\Run',
      "'Software\\Run' is not a registry key (it starts with HKLM\\, HKEY_CURRENT_USER\\…)",
    ],
    ['uri_path', 'wp-login.php', "'wp-login.php' is not a uri_path (it starts with /)"],
    ['hostname', 'ws 01', "'ws 01' is not a hostname"],
    ['user', 'j doe', "'j doe' is not a user"],
    ['file', 'x', 'file observables are added by attaching the file, not as pasted text'],
    ['mail-subject', '   ', 'the value is empty'],
    ['mail-subject', 'a\u0000b', "'a\u0000b' holds control characters"],
  ])('refuses %s %j with %j', (dataType, value, error) => {
    expect(normalizeObservable(dataType, value)).toEqual({ error });
  });

  it('accepts a long value up to the limit and refuses a longer one', () => {
    expect(normalizeObservable('other', 'x'.repeat(8192))).toMatchObject({
      normalized: 'x'.repeat(8192),
    });
    expect(normalizeObservable('other', 'x'.repeat(8193))).toEqual({
      error: 'the value is longer than 8192 characters',
    });
  });

  it('expands the registry hive so HKLM\\ and HKEY_LOCAL_MACHINE\\ keys match', () => {
    const short = normalizeObservable('registry', 'HKLM\\Software\\\\Run\\');
    const long = normalizeObservable('registry', 'hkey_local_machine\\SOFTWARE\\Run');
    expect(short).toMatchObject({ normalized: 'hkey_local_machine\\software\\run' });
    expect(long).toMatchObject({ normalized: 'hkey_local_machine\\software\\run' });
  });

  it('takes a bare number as a forced autonomous system', () => {
    expect(normalizeObservable('autonomous-system', '15169')).toMatchObject({
      normalized: 'AS15169',
    });
  });

  it('forced domain accepts a file-like name (evil.zip is a real TLD)', () => {
    expect(normalizeObservable('domain', 'Evil.ZIP')).toMatchObject({ normalized: 'evil.zip' });
  });

  it('is idempotent: normalising a normalised value changes nothing (property)', () => {
    const samples = fc.constantFrom<[DataType, string]>(
      ['ip', '010.0.0.1'],
      ['ip', '2001:DB8:0::1'],
      ['domain', 'Example.COM.'],
      ['fqdn', 'WWW.Example.co.uk'],
      ['hostname', 'WS-042'],
      ['url', 'HTTPS://Evil.Com:8443/A?b=C'],
      ['url', 'Evil.com/Path'],
      ['mail', 'John@Example.COM'],
      ['hash', 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709'],
      ['hash', '3:AbC:dEf'],
      ['registry', 'HKCU\\\\Software\\Evil\\'],
      ['user', 'CORP\\JDoe'],
      ['autonomous-system', 'asn 0064512'],
      ['user-agent', 'Mozilla/5.0 (X11)'],
      ['uri_path', '/A/b'],
      ['filename', 'Invoice.PDF'],
      ['mail-subject', 'Re: Invoice'],
      ['other', 'anything'],
    );
    const padding = fc.constantFrom('', ' ', '\t', '\u200B', '\uFEFF');
    fc.assert(
      fc.property(samples, padding, padding, ([dataType, value], before, after) => {
        const once = normalizeObservable(dataType, `${before}${value}${after}`);
        if ('error' in once) throw new Error(`${dataType} ${value}: ${once.error}`);
        const twice = normalizeObservable(dataType, once.normalized);
        expect(twice).toMatchObject({ normalized: once.normalized });
      }),
      { numRuns: 500, seed: 99 },
    );
  });

  it('is idempotent for domains built from random labels, Unicode included (property)', () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9ÄÖÜäöüßİıÉé]{1,10}$/);
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('com', 'DE'),
        (labels, top) => {
          const once = normalizeObservable('domain', [...labels, top].join('.'));
          if ('error' in once) return;
          expect(normalizeObservable('domain', once.normalized)).toMatchObject({
            normalized: once.normalized,
          });
        },
      ),
      { numRuns: 1000, seed: 5 },
    );
  });
});

describe('parseObservableLines', () => {
  it('detects one value a line, skips blank lines and numbers lines from 1', () => {
    const result = parseObservableLines('1.2.3.4\r\n\n  evil[.]com  \nhxxps://evil.com/a\r');
    expect(result.errors).toEqual([]);
    expect(result.ok.map(({ line, dataType, value }) => [line, dataType, value])).toEqual([
      [1, 'ip', '1.2.3.4'],
      [3, 'domain', 'evil.com'],
      [4, 'url', 'https://evil.com/a'],
    ]);
  });

  it('de-duplicates on (type, normalised value) within the paste, keeping the first', () => {
    const result = parseObservableLines(
      'EVIL.com\n1.2.3.4\nevil[.]com\n001.002.003.004\nevil.com.',
    );
    expect(result.ok.map((item) => item.value)).toEqual(['EVIL.com', '1.2.3.4']);
    expect(result.duplicates).toEqual([
      { line: 3, value: 'evil.com', firstLine: 1 },
      { line: 4, value: '001.002.003.004', firstLine: 2 },
      { line: 5, value: 'evil.com.', firstLine: 1 },
    ]);
  });

  it('keeps the same text as two types apart (the key is type and value)', () => {
    const ip = parseObservableLines('10.0.0.1', { forcedType: 'ip' });
    const other = parseObservableLines('10.0.0.1', { forcedType: 'other' });
    expect(observableKey('ip', ip.ok[0]?.normalized ?? '')).not.toBe(
      observableKey('other', other.ok[0]?.normalized ?? ''),
    );
  });

  it('with a forced type, reports each line that does not fit, quoting it as typed', () => {
    const result = parseObservableLines('10.0.0.1\n1.2.3\n1.2[.]3\n10.0.0[.]2', {
      forcedType: 'ip',
    });
    expect(result.ok.map((item) => item.normalized)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(result.errors).toEqual([
      { line: 2, value: '1.2.3', message: "'1.2.3' is not an ip" },
      { line: 3, value: '1.2[.]3', message: "'1.2[.]3' is not an ip" },
    ]);
  });

  it('forced mail-subject keeps the text as typed (no refanging, no detection)', () => {
    const result = parseObservableLines('Invoice [at] 10.0.0.1', { forcedType: 'mail-subject' });
    expect(result.ok).toEqual([
      {
        dataType: 'mail-subject',
        value: 'Invoice [at] 10.0.0.1',
        normalized: 'Invoice [at] 10.0.0.1',
        line: 1,
      },
    ]);
  });

  it('gives the hash kind of every hash', () => {
    const result = parseObservableLines(`${'a'.repeat(32)}\n${'B'.repeat(64)}`);
    expect(result.ok.map((item) => item.hashKind)).toEqual(['md5', 'sha256']);
  });

  it(`stops after ${MAX_OBSERVABLE_LINES} values and says so on the first line left out`, () => {
    const lines = Array.from({ length: MAX_OBSERVABLE_LINES + 5 }, (_, i) => `host-${i}`);
    const result = parseObservableLines(lines.join('\n'));
    expect(result.ok).toHaveLength(MAX_OBSERVABLE_LINES);
    expect(result.errors).toEqual([
      {
        line: MAX_OBSERVABLE_LINES + 1,
        value: `host-${MAX_OBSERVABLE_LINES}`,
        message: `a paste holds at most ${MAX_OBSERVABLE_LINES} values: this line and the ones after it were not added`,
      },
    ]);
  });

  it('refuses an unknown forced type at the boundary', () => {
    expect(() => parseObservableLines('x', { forcedType: 'ipv4' as DataType })).toThrow();
  });
});

describe('observableFromEntity', () => {
  it.each([
    [{ kind: 'host', value: 'finance' }, 'hostname', 'finance'],
    [{ kind: 'host', value: 'ws1.corp.example.com' }, 'fqdn', 'ws1.corp.example.com'],
    [{ kind: 'user', value: 'jdoe' }, 'user', 'jdoe'],
    [{ kind: 'email', value: 'j@example.com' }, 'mail', 'j@example.com'],
    [{ kind: 'domain', value: 'evil.zip' }, 'domain', 'evil.zip'],
    [{ kind: 'hash', value: 'a'.repeat(40) }, 'hash', 'a'.repeat(40)],
    [{ kind: 'ip', value: '10.0.0.1' }, 'ip', '10.0.0.1'],
    [{ kind: 'url', value: 'https://evil.com/a' }, 'url', 'https://evil.com/a'],
  ] as const)('offers the entity %j as a %s', (entity, dataType, normalized) => {
    expect(observableFromEntity(entity)).toMatchObject({ dataType, normalized });
  });
});
