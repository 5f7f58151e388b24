import { describe, expect, it } from 'vitest';
import {
  canonicalIp,
  entitiesFromGroups,
  entityKey,
  groupsFromEntities,
  isCorrelatingEntity,
  normalizeEntities,
  normalizeEntityValue,
} from '../../shared/domain/entities';

describe('canonicalIp', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    [' 010.000.000.001 ', '10.0.0.1'],
    ['000.111.222.10', '0.111.222.10'],
    ['255.255.255.255', '255.255.255.255'],
  ])('writes IPv4 %j as %j (dotted decimal, no leading zeros)', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[2001:db8::a]', '2001:db8::a'],
    ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('writes IPv6 %j as %j (RFC 5952)', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:10.1.2.3', '10.1.2.3'],
  ])('writes IPv4-mapped %j as plain IPv4 %j', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4:80',
    '-',
    '',
    'example.com',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::1',
    '1:2:3:4:5:6:7::8',
  ])('rejects %j', (input) => {
    expect(canonicalIp(input)).toBeNull();
  });
});

describe('normalizeEntityValue', () => {
  it('lower-cases and trims hosts, users, emails and hashes', () => {
    expect(normalizeEntityValue('host', '  WS-01.Corp ')).toBe('ws-01.corp');
    expect(normalizeEntityValue('user', 'ACME\\Alice')).toBe('acme\\alice');
    expect(normalizeEntityValue('email', 'Alice@Example.COM')).toBe('alice@example.com');
    expect(normalizeEntityValue('hash', ' ABCDEF0123 ')).toBe('abcdef0123');
  });

  it('strips one trailing dot from domains', () => {
    expect(normalizeEntityValue('domain', 'Example.COM.')).toBe('example.com');
  });

  it('only trims urls (paths are case-sensitive)', () => {
    expect(normalizeEntityValue('url', ' https://x.example/A?b=C ')).toBe(
      'https://x.example/A?b=C',
    );
  });

  it('drops empty values and invalid IPs', () => {
    expect(normalizeEntityValue('host', '   ')).toBeNull();
    expect(normalizeEntityValue('ip', 'not-an-ip')).toBeNull();
  });
});

describe('normalizeEntities', () => {
  it('deduplicates case-insensitively and sorts by kind then value', () => {
    const entities = normalizeEntities([
      { kind: 'url', value: 'https://b.example/' },
      { kind: 'ip', value: '::ffff:10.0.0.2' },
      { kind: 'user', value: 'Bob' },
      { kind: 'host', value: 'WS-2' },
      { kind: 'ip', value: '10.0.0.2' },
      { kind: 'user', value: 'bob' },
      { kind: 'host', value: 'ws-1' },
      { kind: 'ip', value: 'garbage' },
    ]);
    expect(entities).toEqual([
      { kind: 'host', value: 'ws-1' },
      { kind: 'host', value: 'ws-2' },
      { kind: 'user', value: 'bob' },
      { kind: 'ip', value: '10.0.0.2' },
      { kind: 'url', value: 'https://b.example/' },
    ]);
  });

  it('is stable: normalizing twice changes nothing', () => {
    const once = normalizeEntities([
      { kind: 'domain', value: 'A.example.' },
      { kind: 'ip', value: '2001:DB8::0:1' },
    ]);
    expect(normalizeEntities(once)).toEqual(once);
  });
});

describe('entityKey and groups', () => {
  it('makes kind:value keys', () => {
    expect(entityKey({ kind: 'ip', value: '10.0.0.1' })).toBe('ip:10.0.0.1');
  });

  it('converts Watchfloor entity groups both ways', () => {
    const entities = entitiesFromGroups({
      hosts: ['WS-1'],
      ips: ['10.0.0.1', '10.0.0.1'],
      emails: ['A@B.example'],
    });
    expect(entities).toEqual([
      { kind: 'host', value: 'ws-1' },
      { kind: 'ip', value: '10.0.0.1' },
      { kind: 'email', value: 'a@b.example' },
    ]);
    expect(groupsFromEntities(entities)).toMatchObject({
      hosts: ['ws-1'],
      ips: ['10.0.0.1'],
      emails: ['a@b.example'],
      users: [],
    });
  });
});

describe('isCorrelatingEntity (COR-1)', () => {
  const ipRef = (value: string) => ({ kind: 'ip' as const, value: canonicalIp(value) ?? value });

  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '127.0.0.1',
    '127.255.0.9',
    '255.255.255.255',
    '224.0.0.251',
    '239.255.255.250',
    '::',
    '::1',
    'FF02::FB',
    'ff05::1:3',
    '::ffff:127.0.0.1',
  ])('%s never correlates', (value) => {
    expect(isCorrelatingEntity(ipRef(value))).toBe(false);
  });

  it.each([
    '1.0.0.1',
    '10.0.0.1',
    '126.255.255.255',
    '128.0.0.1',
    '223.255.255.255',
    '240.0.0.1',
    '255.255.255.254',
    'ff::1',
    '2001:db8::1',
    'fe80::1',
  ])('%s correlates', (value) => {
    expect(isCorrelatingEntity(ipRef(value))).toBe(true);
  });

  it('leaves out the empty file`s hashes and localhost, nothing else', () => {
    for (const value of [
      'd41d8cd98f00b204e9800998ecf8427e',
      'da39a3ee5e6b4b0d3255bfef95601890afd80709',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ])
      expect(isCorrelatingEntity({ kind: 'hash', value })).toBe(false);
    expect(isCorrelatingEntity({ kind: 'hash', value: '44d88612fea8a8f36de82e1278abb02f' })).toBe(
      true,
    );
    expect(isCorrelatingEntity({ kind: 'host', value: 'localhost' })).toBe(false);
    expect(isCorrelatingEntity({ kind: 'domain', value: 'localhost' })).toBe(false);
    expect(isCorrelatingEntity({ kind: 'user', value: 'localhost' })).toBe(true);
    expect(isCorrelatingEntity({ kind: 'host', value: 'ws-1' })).toBe(true);
  });
});
