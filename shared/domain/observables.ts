import { z } from 'zod';
import { canonicalIp } from './entities';
import { OBSERVABLE_TYPES, type EntityRef, type ObservableType } from './types';

/**
 * Observable values pasted by an analyst (OBS-1): one value a line, each refanged, typed and
 * normalised, de-duplicated within the paste on (data type, normalised value) — the same key the
 * case's observables are de-duplicated on (OBS-1) and "seen in other cases" looks up.
 *
 * Conventions (TheHive 5's, where it has one; where it has none, what an analyst expects):
 * - domain vs fqdn: TheHive maps MISP's `domain` to `domain` and MISP's `hostname` to `fqdn`, so
 *   `domain` is a registered domain (`example.com`, `example.co.uk`) and `fqdn` a full host name
 *   under one (`www.example.com`, `mail.example.co.uk`). Without the full Public Suffix List the
 *   split is a rule of thumb: two labels make a domain, three or more an fqdn, and a name under a
 *   common two-label public suffix (`co.uk`, `com.au`, … MULTI_LABEL_PUBLIC_SUFFIXES) needs one
 *   label more. A forced type overrides it.
 * - hostname: a single-label machine name such as `WS-042` or `DC01` (letters and a digit or a
 *   hyphen: a bare word like `finance` is `other`). Dotted host names are `fqdn`.
 * - user: `DOMAIN\user` (also `NT AUTHORITY\SYSTEM`) and `user@REALM` without a dot in the realm.
 *   `name@example.com` is `mail` (a UPN looks the same; force `user` to keep it as a user).
 * - hash: hex of a known digest length — md5 (32, also imphash), sha1 (40), sha224 (56), sha256
 *   (64), sha384 (96), sha512 (128) — TLSH (`T1` + 70 hex) and ssdeep (`blocksize:hash:hash`).
 * - filename: a name ending in a known file extension (`invoice.pdf.exe`; a two-label name ending
 *   in `.zip` or `.py` is taken as a file, not a domain), or a Windows path (`C:\…`, `\\server\…`).
 * - uri_path: anything starting with `/` (web logs are where SOC analysts meet such values).
 * - url: a known scheme followed by `://`, or a domain followed by a path (`evil.com/a.php`).
 * - autonomous-system: `AS12345`, `AS 12345` or `ASN12345`, kept as `AS12345`.
 * - mail-subject and file are never detected: mail-subject only when forced, file is an upload.
 * - registry: a key under a hive, `HKLM\…`, `HKEY_LOCAL_MACHINE\…` (also HKCU, HKCR, HKU, HKCC).
 * - CIDR ranges and `ip:port` are not ips (they are `other`): an ip is one address.
 */

export const DATA_TYPES = OBSERVABLE_TYPES;
export const dataTypeSchema = z.enum(OBSERVABLE_TYPES);
export type DataType = ObservableType;

export const HASH_KINDS = [
  'md5',
  'sha1',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
  'tlsh',
  'ssdeep',
] as const;
export const hashKindSchema = z.enum(HASH_KINDS);
export type HashKind = z.infer<typeof hashKindSchema>;

/** The data types whose values are refanged: the ones defanging is done to. */
const REFANGED_TYPES: ReadonlySet<DataType> = new Set([
  'ip',
  'domain',
  'fqdn',
  'url',
  'mail',
  'hostname',
]);

/** Longest line accepted as one value; a longer line is almost surely not one observable. */
export const MAX_OBSERVABLE_LENGTH = 8192;
/** Values accepted in one paste; the rest are reported, so the UI can say to paste in parts. */
export const MAX_OBSERVABLE_LINES = 10_000;

// ---------------------------------------------------------------------------------------------
// Refanging
// ---------------------------------------------------------------------------------------------

/** Bracketed defang markers and what they stand for: `[.]`, `(dot)`, `{.}`, `[:]`, `[@]`, `[at]`… */
const BRACKETED_MARKERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\s*[[({]\s*(?:\.|dot)\s*[\])}]\s*/gi, '.'],
  [/[[({]\s*:\/\/\s*[\])}]/g, '://'],
  [/[[({]\s*:\s*[\])}]/g, ':'],
  [/\s*[[({]\s*(?:@|at)\s*[\])}]\s*/gi, '@'],
  [/[[({]\s*\/\s*[\])}]/g, '/'],
];
/** Defanged schemes: `hxxp://`, `hXXps://`, `h**p://`, `fxp://` (only in front of `://`). */
const DEFANGED_SCHEME = /\b(?:h[x*]{2}p|hxtp|fxp)(s?):\/\//gi;

function refangOnce(text: string): string {
  let result = text;
  for (const [pattern, replacement] of BRACKETED_MARKERS) {
    result = result.replace(pattern, replacement);
  }
  return result.replace(DEFANGED_SCHEME, (match: string, secure: string) =>
    match.toLowerCase().startsWith('f') ? `ftp${secure}://` : `http${secure}://`,
  );
}

/**
 * Undoes the usual defanging of indicators (`hxxp://evil[.]com`, `1.2.3[.]4`, `a[at]b(.)c`).
 * Repeated until nothing changes, so nested markers (`[[.]]`) come out whole and
 * `refang(refang(x)) === refang(x)`; every step shortens the text, so it ends.
 */
export function refang(text: string): string {
  let current = text;
  for (;;) {
    const next = refangOnce(current);
    if (next === current) return current;
    current = next;
  }
}

// ---------------------------------------------------------------------------------------------
// Recognisers
// ---------------------------------------------------------------------------------------------

/** Zero-width characters and the BOM ride along with text copied from web pages and mail. */
const INVISIBLE_CHARACTERS = /[\u200B-\u200D\u2060\uFEFF]/g;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F]/;

/** Second-level public suffixes common enough that `example.co.uk` must be a domain, not an fqdn. */
export const MULTI_LABEL_PUBLIC_SUFFIXES: ReadonlySet<string> = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'me.uk',
  'ltd.uk',
  'plc.uk',
  'net.uk',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'gov.au',
  'co.nz',
  'org.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'ac.jp',
  'co.kr',
  'or.kr',
  'co.in',
  'net.in',
  'org.in',
  'co.za',
  'org.za',
  'co.il',
  'org.il',
  'com.br',
  'net.br',
  'org.br',
  'com.cn',
  'net.cn',
  'org.cn',
  'com.hk',
  'com.tw',
  'com.sg',
  'com.my',
  'com.mx',
  'com.ar',
  'com.tr',
  'com.ua',
  'com.pl',
  'com.ru',
  'co.id',
  'co.th',
]);

/** Extensions that make a dotted name a file name (not `com`, `pl`, `md`, `rs`: too many domains). */
const FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  'exe',
  'dll',
  'sys',
  'scr',
  'cpl',
  'ocx',
  'bat',
  'cmd',
  'ps1',
  'psm1',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'hta',
  'lnk',
  'msi',
  'msp',
  'jar',
  'apk',
  'dmg',
  'iso',
  'img',
  'vhd',
  'vhdx',
  'doc',
  'docx',
  'docm',
  'dot',
  'dotm',
  'xls',
  'xlsx',
  'xlsm',
  'xlsb',
  'ppt',
  'pptx',
  'pptm',
  'rtf',
  'pdf',
  'txt',
  'csv',
  'log',
  'zip',
  'rar',
  '7z',
  'gz',
  'tgz',
  'tar',
  'cab',
  'eml',
  'msg',
  'html',
  'htm',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'elf',
  'bin',
  'dat',
  'tmp',
  'py',
  'sh',
  'onenote',
  'one',
]);

const DNS_LABEL = /^(?!-)[\p{L}\p{M}\p{N}_-]{1,63}(?<!-)$/u;
const TOP_LEVEL_LABEL = /^(?:\p{L}[\p{L}\p{M}]{1,62}|xn--[a-z0-9-]{1,59})$/iu;
const SINGLE_LABEL_HOSTNAME = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** Labels of a syntactically valid DNS name (trailing dot allowed), or null. */
function dnsLabels(text: string): string[] | null {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return null;
  const labels = name.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((label) => DNS_LABEL.test(label))) return null;
  const top = labels[labels.length - 1] ?? '';
  return TOP_LEVEL_LABEL.test(top) ? labels : null;
}

function isFileExtension(label: string): boolean {
  return FILE_EXTENSIONS.has(label.toLowerCase());
}

/** `domain` for a registered domain, `fqdn` for a host name under one (see the header). */
function domainOrFqdn(labels: readonly string[]): 'domain' | 'fqdn' {
  const lastTwo = labels.slice(-2).join('.').toLowerCase();
  const registeredLabels = MULTI_LABEL_PUBLIC_SUFFIXES.has(lastTwo) ? 3 : 2;
  return labels.length > registeredLabels ? 'fqdn' : 'domain';
}

const HEX_ONLY = /^[0-9a-fA-F]+$/;
const HEX_HASH_LENGTHS: ReadonlyMap<number, HashKind> = new Map([
  [32, 'md5'],
  [40, 'sha1'],
  [56, 'sha224'],
  [64, 'sha256'],
  [96, 'sha384'],
  [128, 'sha512'],
]);
const TLSH = /^T1[0-9a-fA-F]{70}$/;
const SSDEEP = /^\d{1,10}:[A-Za-z0-9/+]{1,128}:[A-Za-z0-9/+]{1,128}$/;

/** The kind of a hash value, or null when it is none of HASH_KINDS. */
export function detectHashKind(value: string): HashKind | null {
  const text = value.trim();
  if (HEX_ONLY.test(text)) return HEX_HASH_LENGTHS.get(text.length) ?? null;
  if (TLSH.test(text)) return 'tlsh';
  return SSDEEP.test(text) && isSsdeepBlockSize(Number(text.slice(0, text.indexOf(':'))))
    ? 'ssdeep'
    : null;
}

/** ssdeep block sizes are 3 × 2^n, which keeps `1:2:3` from passing as a hash. */
function isSsdeepBlockSize(size: number): boolean {
  let candidate = 3;
  while (candidate < size) candidate *= 2;
  return candidate === size;
}

const AUTONOMOUS_SYSTEM = /^AS(?:N)?\s?(\d{1,10})$/i;
const MAX_AS_NUMBER = 4_294_967_295;

function autonomousSystemNumber(text: string): number | null {
  const match = AUTONOMOUS_SYSTEM.exec(text);
  if (!match) return null;
  const number = Number(match[1]);
  return number <= MAX_AS_NUMBER ? number : null;
}

const REGISTRY_HIVES: ReadonlyMap<string, string> = new Map([
  ['hklm', 'HKEY_LOCAL_MACHINE'],
  ['hkcu', 'HKEY_CURRENT_USER'],
  ['hkcr', 'HKEY_CLASSES_ROOT'],
  ['hku', 'HKEY_USERS'],
  ['hkcc', 'HKEY_CURRENT_CONFIG'],
  ['hkey_local_machine', 'HKEY_LOCAL_MACHINE'],
  ['hkey_current_user', 'HKEY_CURRENT_USER'],
  ['hkey_classes_root', 'HKEY_CLASSES_ROOT'],
  ['hkey_users', 'HKEY_USERS'],
  ['hkey_current_config', 'HKEY_CURRENT_CONFIG'],
]);

/** The full hive name of a registry path (`HKLM\…` → `HKEY_LOCAL_MACHINE`), or null. */
function registryHive(text: string): string | null {
  const separator = text.indexOf('\\');
  const hive = separator < 0 ? text : text.slice(0, separator);
  return REGISTRY_HIVES.get(hive.toLowerCase()) ?? null;
}

const EMAIL = /^([^\s@"<>()[\],;:\\]{1,64})@([^\s@]+)$/;

function isEmail(text: string): boolean {
  const match = EMAIL.exec(text);
  if (!match) return false;
  const local = match[1] ?? '';
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  return dnsLabels(match[2] ?? '') !== null || canonicalIp(match[2] ?? '') !== null;
}

/** `DOMAIN\user` (NetBIOS domains may hold spaces only in well-known ones like NT AUTHORITY). */
const DOMAIN_USER = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,30}(?<! )\\[^\\/\s:*?"<>|]{1,104}$/;
/** `user@REALM` where the realm has no dot, so it is no mail domain. */
const REALM_USER = /^[^\s@\\/]{1,104}@[A-Za-z0-9_-]{1,63}$/;

const URL_SCHEMES = new Set([
  'http',
  'https',
  'ftp',
  'ftps',
  'sftp',
  'ws',
  'wss',
  'smb',
  'file',
  'ldap',
  'ldaps',
  'tcp',
  'udp',
]);
const URL_WITH_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^\s/?#]*)([^\s]*)$/;
/**
 * A domain followed by a path or query: `evil.com/a.php`, `evil.com:8080/x`. A bare `host:port`
 * is not a url (nor an ip): it is `other`.
 */
const URL_WITHOUT_SCHEME = /^([^\s/?#:@]+)((?::\d{1,5})?[/?#][^\s]*)$/;
const CIDR_SUFFIX = /^\/\d{1,2}$/;

interface UrlParts {
  scheme: string | null;
  authority: string;
  rest: string;
}

function urlParts(text: string): UrlParts | null {
  const withScheme = URL_WITH_SCHEME.exec(text);
  if (withScheme) {
    const scheme = (withScheme[1] ?? '').toLowerCase();
    const authority = withScheme[2] ?? '';
    if (!URL_SCHEMES.has(scheme)) return null;
    // `file:///C:/x` has no host; every other scheme needs one.
    if (authority === '' && scheme !== 'file') return null;
    if (authority !== '' && !isUrlHost(hostOfAuthority(authority))) return null;
    return { scheme, authority, rest: withScheme[3] ?? '' };
  }
  const withoutScheme = URL_WITHOUT_SCHEME.exec(text);
  if (withoutScheme) {
    const authority = withoutScheme[1] ?? '';
    const rest = withoutScheme[2] ?? '';
    const labels = dnsLabels(authority);
    const isDomain = labels !== null && !isFileExtension(labels.at(-1) ?? '');
    // `10.0.0.0/8` is a range, not a url.
    const isAddress = isIpv4(authority) && !CIDR_SUFFIX.test(rest);
    if (!isDomain && !isAddress) return null;
    const port = /^:(\d{1,5})/.exec(rest);
    const [authorityWithPort, path] = port
      ? [`${authority}${port[0]}`, rest.slice(port[0].length)]
      : [authority, rest];
    return { scheme: null, authority: authorityWithPort, rest: path };
  }
  return null;
}

function isIpv4(text: string): boolean {
  return !text.includes(':') && canonicalIp(text) !== null;
}

/** Host of `user:pass@host:port` or `[v6]:port`. */
function hostOfAuthority(authority: string): string {
  const afterUser = authority.slice(authority.lastIndexOf('@') + 1);
  if (afterUser.startsWith('[')) {
    const close = afterUser.indexOf(']');
    return close < 0 ? afterUser : afterUser.slice(0, close + 1);
  }
  const colon = afterUser.lastIndexOf(':');
  return colon < 0 ? afterUser : afterUser.slice(0, colon);
}

function isUrlHost(host: string): boolean {
  if (host === '') return false;
  if (canonicalIp(host) !== null) return true;
  if (dnsLabels(host) !== null) return true;
  return SINGLE_LABEL_HOSTNAME.test(host); // `http://intranet/` and `http://localhost:8080/`
}

/** URL with the scheme and host lower-cased; path, query and fragment are case-sensitive. */
function normalizeUrl(text: string): string {
  const parts = urlParts(text);
  if (!parts) return text;
  const at = parts.authority.lastIndexOf('@');
  const userInfo = at < 0 ? '' : parts.authority.slice(0, at + 1);
  const hostAndPort = parts.authority.slice(at + 1);
  const scheme = parts.scheme === null ? '' : `${parts.scheme}://`;
  return `${scheme}${userInfo}${hostAndPort.toLowerCase()}${parts.rest}`;
}

/** A leading-slash path with no whitespace: `/wp-login.php?x=1`. */
const URI_PATH = /^\/[^\s]*$/;
/** `C:\dir\name.ext`, `\\server\share\name`. */
const WINDOWS_PATH = /^(?:[A-Za-z]:\\|\\\\[^\\\s]+\\)[^<>"|?*]*$/;
/** `name.ext`, spaces allowed, no path separators; the extension starts with a letter (not `1.2.3`). */
const FILE_NAME = /^[^\\/<>:"|?*]{1,250}\.([A-Za-z][A-Za-z0-9]{0,7})$/;

/** `Mozilla/5.0 (…)`, `curl/8.5.0`, `python-requests/2.31.0`: a product token and a version. */
const USER_AGENT = /^[A-Za-z][A-Za-z0-9._+-]{0,63}\/\d[^\s]*(?:\s.*)?$/;

// ---------------------------------------------------------------------------------------------
// Detection and normalisation
// ---------------------------------------------------------------------------------------------

/** What detection says about one value. */
export interface DetectedObservable {
  dataType: DataType;
  /** The value to store: trimmed, refanged for the network types. */
  value: string;
  /** The de-duplication key within the data type (OBS-1). */
  normalized: string;
  hashKind?: HashKind;
}

/** Trimmed, NFC, without invisible characters: the first step for every line. */
function cleanInput(raw: string): string {
  return raw.replace(INVISIBLE_CHARACTERS, '').normalize('NFC').trim();
}

/** The data type of a value as it is (already refanged when that applies), or null for none. */
function recogniseType(text: string): DataType | null {
  if (text === '' || CONTROL_CHARACTERS.test(text)) return null;
  if (autonomousSystemNumber(text) !== null) return 'autonomous-system';
  if (canonicalIp(text) !== null) return 'ip';
  if (detectHashKind(text) !== null) return 'hash';
  if (registryHive(text) !== null && (text.includes('\\') || /^HKEY_/i.test(text))) {
    return 'registry';
  }
  if (WINDOWS_PATH.test(text)) return 'filename';
  if (urlParts(text) !== null) return 'url';
  if (isEmail(text)) return 'mail';
  if (DOMAIN_USER.test(text) || REALM_USER.test(text)) return 'user';
  if (URI_PATH.test(text)) return 'uri_path';
  const labels = dnsLabels(text);
  if (labels !== null) {
    return isFileExtension(labels.at(-1) ?? '') ? 'filename' : domainOrFqdn(labels);
  }
  if (USER_AGENT.test(text)) return 'user-agent';
  if (FILE_NAME.test(text)) return 'filename';
  if (SINGLE_LABEL_HOSTNAME.test(text) && /\d|-/.test(text) && /[A-Za-z]/.test(text)) {
    return 'hostname';
  }
  return null;
}

/**
 * The normalised value of `value` as `dataType` (OBS-1 de-duplication), or an error message when
 * the value does not fit the type. `value` is taken as given: refang first where that applies.
 */
export function normalizeObservable(
  dataType: DataType,
  value: string,
  shownAs: string = value,
): { value: string; normalized: string; hashKind?: HashKind } | { error: string } {
  const text = cleanInput(value);
  const shown = cleanInput(shownAs);
  const notA = (what: string): { error: string } => ({ error: `'${shown}' is not ${what}` });
  if (text === '') return { error: 'the value is empty' };
  if (text.length > MAX_OBSERVABLE_LENGTH) {
    return { error: `the value is longer than ${MAX_OBSERVABLE_LENGTH} characters` };
  }
  if (dataType !== 'other' && CONTROL_CHARACTERS.test(text)) {
    return { error: `'${shown}' holds control characters` };
  }
  switch (dataType) {
    case 'ip': {
      const ip = canonicalIp(text);
      return ip === null ? notA('an ip') : { value: text, normalized: ip };
    }
    case 'domain':
    case 'fqdn': {
      const labels = dnsLabels(text);
      if (labels === null) return notA(dataType === 'domain' ? 'a domain' : 'an fqdn');
      return { value: text, normalized: labels.join('.').toLowerCase() };
    }
    case 'hostname': {
      const labels = dnsLabels(text);
      if (labels === null && !SINGLE_LABEL_HOSTNAME.test(text)) return notA('a hostname');
      return { value: text, normalized: (labels ?? [text]).join('.').toLowerCase() };
    }
    case 'url':
      return urlParts(text) === null
        ? notA('a url')
        : { value: text, normalized: normalizeUrl(text) };
    case 'mail':
      return isEmail(text) ? { value: text, normalized: text.toLowerCase() } : notA('a mail');
    case 'hash': {
      const hashKind = detectHashKind(text);
      if (hashKind === null) {
        return notA(`a hash (md5, sha1, sha224, sha256, sha384, sha512, TLSH or ssdeep)`);
      }
      // ssdeep is base64: its case is part of the value. Hex digests and TLSH are not.
      const normalized = hashKind === 'ssdeep' ? text : text.toLowerCase();
      return { value: text, normalized, hashKind };
    }
    case 'autonomous-system': {
      const number = autonomousSystemNumber(text) ?? autonomousSystemNumber(`AS${text}`);
      return number === null
        ? notA('an autonomous system')
        : { value: text, normalized: `AS${number}` };
    }
    case 'registry': {
      const hive = registryHive(text);
      if (hive === null)
        return notA('a registry key (it starts with HKLM\\, HKEY_CURRENT_USER\\…)');
      // Registry paths are case-insensitive; `HKLM\` and `HKEY_LOCAL_MACHINE\` are the same key.
      const path = text
        .slice(text.includes('\\') ? text.indexOf('\\') : text.length)
        .replace(/\\+/g, '\\')
        .replace(/\\$/, '');
      return { value: text, normalized: `${hive}${path}`.toLowerCase() };
    }
    case 'user':
      if (/\s/.test(text) && !DOMAIN_USER.test(text)) return notA('a user');
      return { value: text, normalized: text.toLowerCase() };
    case 'uri_path':
      return URI_PATH.test(text)
        ? { value: text, normalized: text }
        : notA('a uri_path (it starts with /)');
    case 'filename':
      return { value: text, normalized: text };
    case 'file':
      return { error: 'file observables are added by attaching the file, not as pasted text' };
    case 'user-agent':
    case 'mail-subject':
    case 'other':
      return { value: text, normalized: text };
  }
}

/**
 * The data type of one value, refanged where it is a network value (`hxxp://evil[.]com` is the
 * url `http://evil.com`), or `other` with the value as given. Empty values give null.
 */
export function detectObservableType(rawValue: string): DetectedObservable | null {
  const text = cleanInput(rawValue);
  if (text === '') return null;
  const refanged = refang(text);
  const refangedType = refanged !== text ? recogniseType(refanged) : null;
  const [dataType, value] =
    refangedType !== null && REFANGED_TYPES.has(refangedType)
      ? [refangedType, refanged]
      : [recogniseType(text) ?? 'other', text];
  const result = normalizeObservable(dataType, value);
  if ('error' in result) return { dataType: 'other', value: text, normalized: text };
  return { dataType, ...result };
}

/** One value of a paste, accepted. `line` counts from 1. */
export interface ParsedObservable extends DetectedObservable {
  line: number;
}
export interface ObservableLineError {
  line: number;
  value: string;
  message: string;
}
export interface DuplicateObservable {
  line: number;
  value: string;
  /** The line of the same (type, normalised value) kept instead. */
  firstLine: number;
}
export interface ParsedObservableLines {
  ok: ParsedObservable[];
  errors: ObservableLineError[];
  duplicates: DuplicateObservable[];
}

export const parseObservableOptionsSchema = z.object({
  forcedType: dataTypeSchema.optional(),
});
export type ParseObservableOptions = z.infer<typeof parseObservableOptionsSchema>;

/** The de-duplication key of an observable (OBS-1), e.g. `ip\u00001.2.3.4`. */
export function observableKey(dataType: DataType, normalized: string): string {
  return `${dataType}\u0000${normalized}`;
}

/**
 * Parses pasted text, one value a line (OBS-1). Blank lines are skipped. With `forcedType`
 * every line must fit that type ("'1.2.3' is not an ip"); without it each line is detected.
 * Values repeating an earlier line's (type, normalised value) are reported in `duplicates`.
 */
export function parseObservableLines(
  text: string,
  options: ParseObservableOptions = {},
): ParsedObservableLines {
  const { forcedType } = parseObservableOptionsSchema.parse(options);
  const result: ParsedObservableLines = { ok: [], errors: [], duplicates: [] };
  const firstLineByKey = new Map<string, number>();
  const lines = text.split(/\r\n|\r|\n/);
  let accepted = 0;
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const value = cleanInput(raw);
    if (value === '') continue;
    if (accepted === MAX_OBSERVABLE_LINES) {
      result.errors.push({
        line,
        value: value.slice(0, 200),
        message: `a paste holds at most ${MAX_OBSERVABLE_LINES} values: this line and the ones after it were not added`,
      });
      break;
    }
    accepted += 1;
    const parsed =
      forcedType === undefined ? detectObservableType(value) : parseAs(forcedType, value);
    if (parsed === null) continue;
    if ('error' in parsed) {
      result.errors.push({ line, value: value.slice(0, 200), message: parsed.error });
      continue;
    }
    const key = observableKey(parsed.dataType, parsed.normalized);
    const firstLine = firstLineByKey.get(key);
    if (firstLine !== undefined) {
      result.duplicates.push({ line, value: parsed.value, firstLine });
      continue;
    }
    firstLineByKey.set(key, line);
    result.ok.push({ ...parsed, line });
  }
  return result;
}

/** A value as `dataType`: refanged first when the type is one defanging is done to. */
function parseAs(dataType: DataType, value: string): DetectedObservable | { error: string } {
  const input = REFANGED_TYPES.has(dataType) ? refang(value) : value;
  // An error quotes the value as the analyst typed it, not its refanged form.
  const result = normalizeObservable(dataType, input, value);
  return 'error' in result ? result : { dataType, ...result };
}

/** Observable data type for an alert entity kind (the case's entities offered as observables). */
export function observableFromEntity(entity: EntityRef): DetectedObservable | null {
  const detected = detectObservableType(entity.value);
  if (detected === null) return null;
  const preferred: Record<EntityRef['kind'], readonly DataType[]> = {
    host: ['hostname', 'fqdn', 'domain', 'ip'],
    user: ['user', 'mail'],
    ip: ['ip'],
    domain: ['domain', 'fqdn'],
    hash: ['hash'],
    email: ['mail'],
    url: ['url'],
  };
  const allowed = preferred[entity.kind];
  if (allowed.includes(detected.dataType)) return detected;
  // The entity's kind wins over detection when the value fits it (`finance` as a host).
  const first = allowed[0] ?? 'other';
  const forced = parseAs(first, entity.value);
  return 'error' in forced ? { ...detected, dataType: 'other' } : forced;
}
