import { ENTITY_KINDS, type EntityKind, type EntityRef } from './types';

/**
 * Entity normalization (COR-1, COR-9). Two alerts correlate when they share an entity, so every
 * machine must turn the same raw value into the same normalized value:
 * - host, user, email: trimmed and lower-cased (compared case-insensitively);
 * - domain: trimmed, lower-cased, one trailing dot removed (`Example.COM.` = `example.com`);
 * - ip: canonical text (IPv4 dotted decimal without leading zeros; IPv6 compressed lower-case per
 *   RFC 5952; an IPv4-mapped IPv6 address `::ffff:a.b.c.d` becomes `a.b.c.d`). A value that is
 *   not an IP address is DROPPED: keeping `10.0.0.1:443` or `-` as an IP would correlate alerts
 *   on garbage, and the raw payload still holds the original text;
 * - hash: trimmed and lower-cased;
 * - url: trimmed only (paths and queries are case-sensitive).
 * Empty values (after trimming) are dropped for every kind.
 */

/** Lower-case in a locale-independent way: `toLowerCase` (not `toLocaleLowerCase`) is the same everywhere. */
function lowerTrim(value: string): string {
  return value.trim().toLowerCase();
}

const IPV4_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEXTET_PATTERN = /^[0-9a-fA-F]{1,4}$/;

/** Returns the four octets of a dotted-decimal IPv4 address, or null. Leading zeros are decimal. */
function parseIpv4Octets(text: string): number[] | null {
  const match = IPV4_PATTERN.exec(text);
  if (!match) return null;
  const octets = match.slice(1, 5).map((part) => Number.parseInt(part, 10));
  return octets.every((octet) => octet <= 255) ? octets : null;
}

/** Returns the eight 16-bit groups of an IPv6 address (embedded IPv4 tail allowed), or null. */
function parseIpv6Hextets(text: string): number[] | null {
  let body = text;
  let ipv4Tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.includes('.', lastColon)) {
    const octets = parseIpv4Octets(body.slice(lastColon + 1));
    if (!octets) return null;
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    ipv4Tail = [(a << 8) | b, (c << 8) | d];
    body = body.slice(0, lastColon + 1);
    // `::1.2.3.4` leaves `::`; `64:ff9b::1.2.3.4` leaves `64:ff9b::`; `1:2:3:4:5:6:1.2.3.4` leaves `...6:`.
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const doubleColonParts = body.split('::');
  if (doubleColonParts.length > 2) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    if (!groups.every((group) => HEXTET_PATTERN.test(group))) return null;
    return groups.map((group) => Number.parseInt(group, 16));
  };
  const head = parseGroups(doubleColonParts[0] ?? '');
  if (!head) return null;
  const wanted = 8 - ipv4Tail.length;
  if (doubleColonParts.length === 1) {
    if (head.length !== wanted) return null;
    return [...head, ...ipv4Tail];
  }
  const tail = parseGroups(doubleColonParts[1] ?? '');
  if (!tail) return null;
  const missing = wanted - head.length - tail.length;
  if (missing < 1) return null; // `::` stands for at least one zero group
  return [...head, ...new Array<number>(missing).fill(0), ...tail, ...ipv4Tail];
}

/** RFC 5952 text: lower-case, no leading zeros, the longest run (>= 2) of zero groups as `::`. */
function formatIpv6(hextets: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let index = 0; index < hextets.length;) {
    if (hextets[index] !== 0) {
      index += 1;
      continue;
    }
    let end = index;
    while (end < hextets.length && hextets[end] === 0) end += 1;
    if (end - index > bestLength) {
      bestStart = index;
      bestLength = end - index;
    }
    index = end;
  }
  const hex = hextets.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/**
 * Canonical text of an IP address, or null when `value` is not one. Accepts surrounding
 * whitespace, `[v6]` brackets and a `%zone` suffix (dropped: it is local to one machine).
 */
export function canonicalIp(value: string): string | null {
  let text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zoneAt = text.indexOf('%');
  if (zoneAt >= 0) text = text.slice(0, zoneAt);
  if (text === '') return null;
  if (!text.includes(':')) {
    const octets = parseIpv4Octets(text);
    return octets ? octets.join('.') : null;
  }
  const hextets = parseIpv6Hextets(text);
  if (!hextets) return null;
  const isIpv4Mapped = hextets.slice(0, 5).every((group) => group === 0) && hextets[5] === 0xffff;
  if (isIpv4Mapped) {
    const high = hextets[6] ?? 0;
    const low = hextets[7] ?? 0;
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return formatIpv6(hextets);
}

/** Normalized value of an entity of `kind`, or null when the value must be dropped. */
export function normalizeEntityValue(kind: EntityKind, value: string): string | null {
  let normalized: string | null;
  switch (kind) {
    case 'host':
    case 'user':
    case 'email':
    case 'hash':
      normalized = lowerTrim(value);
      break;
    case 'domain':
      normalized = lowerTrim(value);
      if (normalized.endsWith('.')) normalized = normalized.slice(0, -1);
      break;
    case 'ip':
      normalized = canonicalIp(value);
      break;
    case 'url':
      normalized = value.trim();
      break;
  }
  return normalized === null || normalized === '' ? null : normalized;
}

/** A normalized copy of `ref`, or null when its value must be dropped. */
export function normalizeEntity(ref: EntityRef): EntityRef | null {
  const value = normalizeEntityValue(ref.kind, ref.value);
  return value === null ? null : { kind: ref.kind, value };
}

/** Correlation key of an entity, e.g. `ip:10.0.0.1`. Expects a normalized entity. */
export function entityKey(ref: EntityRef): string {
  return `${ref.kind}:${ref.value}`;
}

const KIND_ORDER = new Map<EntityKind, number>(ENTITY_KINDS.map((kind, index) => [kind, index]));

/** Order of entities: by kind (ENTITY_KINDS order), then value by code unit (locale-free, COR-9). */
export function compareEntities(a: EntityRef, b: EntityRef): number {
  const byKind = (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0);
  if (byKind !== 0) return byKind;
  if (a.value < b.value) return -1;
  return a.value > b.value ? 1 : 0;
}

/** Normalizes, drops invalid and empty values, removes duplicates and sorts (kind, value). */
export function normalizeEntities(refs: Iterable<EntityRef>): EntityRef[] {
  const byKey = new Map<string, EntityRef>();
  for (const ref of refs) {
    const normalized = normalizeEntity(ref);
    if (normalized) byKey.set(entityKey(normalized), normalized);
  }
  return [...byKey.values()].sort(compareEntities);
}

/** Entity groups as the Watchfloor alert format carries them. */
export interface EntityGroups {
  hosts?: readonly string[];
  users?: readonly string[];
  ips?: readonly string[];
  domains?: readonly string[];
  hashes?: readonly string[];
  emails?: readonly string[];
  urls?: readonly string[];
}

const GROUP_KINDS: ReadonlyArray<readonly [keyof EntityGroups, EntityKind]> = [
  ['hosts', 'host'],
  ['users', 'user'],
  ['ips', 'ip'],
  ['domains', 'domain'],
  ['hashes', 'hash'],
  ['emails', 'email'],
  ['urls', 'url'],
];

/** Flattens entity groups into normalized, deduplicated, sorted entity refs. */
export function entitiesFromGroups(groups: EntityGroups): EntityRef[] {
  const refs: EntityRef[] = [];
  for (const [group, kind] of GROUP_KINDS) {
    for (const value of groups[group] ?? []) refs.push({ kind, value });
  }
  return normalizeEntities(refs);
}

/** Inverse of entitiesFromGroups, for exporting an alert in the Watchfloor format. */
export function groupsFromEntities(entities: readonly EntityRef[]): {
  [Group in keyof EntityGroups]-?: string[];
} {
  const groups = {
    hosts: [] as string[],
    users: [] as string[],
    ips: [] as string[],
    domains: [] as string[],
    hashes: [] as string[],
    emails: [] as string[],
    urls: [] as string[],
  };
  for (const [group, kind] of GROUP_KINDS) {
    groups[group] = entities.filter((ref) => ref.kind === kind).map((ref) => ref.value);
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Entities that never correlate (COR-1)

/**
 * Hashes of the empty file (md5, sha1, sha224, sha256, sha384, sha512): every zero-byte download,
 * attachment or truncated transfer has them, so they say nothing about a shared incident.
 */
export const EMPTY_FILE_HASHES: ReadonlySet<string> = new Set([
  'd41d8cd98f00b204e9800998ecf8427e',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b',
  'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
]);

/**
 * Whether a canonical IP address names no particular host: `0.0.0.0/8` (this network, DHCP
 * clients before they have an address), `127.0.0.0/8` (loopback), `255.255.255.255` (limited
 * broadcast), `224.0.0.0/4` (multicast: mDNS, SSDP, IGMP), `::` (unspecified), `::1` (loopback)
 * and `ff00::/8` (multicast). Thousands of unrelated alerts carry them (83 alerts of one capture
 * fell into one case through 224.0.0.251 and 255.255.255.255).
 */
export function isNonCorrelatingIp(ip: string): boolean {
  if (ip.includes(':')) {
    // Canonical text drops leading zeros: only a four-digit first group `ffxx` is ff00::/8.
    const firstGroup = ip.slice(0, ip.indexOf(':'));
    return ip === '::' || ip === '::1' || (firstGroup.length === 4 && firstGroup.startsWith('ff'));
  }
  const first = Number.parseInt(ip, 10);
  return first === 0 || first === 127 || (first >= 224 && first <= 239) || ip === '255.255.255.255';
}

/** The loopback host's names: every machine is `localhost` to itself. */
export const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', 'localhost.localdomain']);

/**
 * Whether a normalized entity may be a correlation key (COR-1). Unspecified, loopback, broadcast
 * and multicast addresses, the `localhost` host and domain, and the hashes of the empty file stay
 * on the alert (they are facts about it, and searchable) but never join two alerts into one case.
 */
export function isCorrelatingEntity(ref: EntityRef): boolean {
  switch (ref.kind) {
    case 'ip':
      return !isNonCorrelatingIp(ref.value);
    case 'hash':
      return !EMPTY_FILE_HASHES.has(ref.value);
    case 'host':
    case 'domain':
      return !LOOPBACK_NAMES.has(ref.value);
    default:
      return true;
  }
}
