import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedAlert } from '../../shared/domain/alert-format';
import { isCorrelatingEntity } from '../../shared/domain/entities';
import {
  depthExceededAt,
  parseAlertFile,
  parseNdjsonLine,
  type ParseAlertFileResult,
} from '../../shared/domain/ingest/parse';
import { readAlertStream } from '../../shared/domain/ingest/stream';
import { classifyObservableValue } from '../../shared/domain/ingest/thehive';
import { ALERT_FIXTURES } from '../fixtures/alerts';

/**
 * What each importer reads from the formats as real tools write them (issue 11): Suricata 7/8
 * DNS and files, Wazuh forwarded logs and Suricata events, Elastic es_archiver files and Attack
 * Discovery, TheHive custom data types; and a UTF-8 byte order mark. Fixtures are our own,
 * written from each format's documentation (tests/fixtures/alerts).
 */

function parseFixture(name: string): ParseAlertFileResult {
  return parseAlertFile(readFileSync(join(ALERT_FIXTURES, name), 'utf8'), { fileName: name });
}

/** `kind:value` of an alert's entities. */
function entities(alert: NormalizedAlert | undefined): string[] {
  return (alert?.entities ?? []).map((e) => `${e.kind}:${e.value}`);
}

function byTitle(result: ParseAlertFileResult, title: string): NormalizedAlert[] {
  return result.alerts.filter((a) => a.title === title);
}

describe('Suricata EVE', () => {
  const result = parseFixture('suricata7-alerts.ndjson');

  it('reads every alert and counts the other events as skipped', () => {
    expect(result.errors).toEqual([]);
    expect(result.alerts).toHaveLength(10);
    expect(result.skipped).toBe(1);
  });

  it('reads the DNS request of a Suricata 7 alert (dns.query[].rrname)', () => {
    expect(entities(byTitle(result, 'ET DNS Query to a known C2 domain')[0])).toContain(
      'domain:c2.bad-example.net',
    );
  });

  it('reads the DNS response of a Suricata 7 alert (dns.answer, its answers and their addresses)', () => {
    expect(entities(byTitle(result, 'ET DNS Reply for a known C2 domain')[0])).toEqual(
      expect.arrayContaining([
        'domain:update.bad-example.org',
        'domain:cdn.bad-example.org',
        'ip:203.0.113.44',
      ]),
    );
  });

  it('reads Suricata 8 dns.queries[] and dns.answers[]', () => {
    expect(entities(byTitle(result, 'ET DNS Reply with a sinkholed address')[0])).toEqual(
      expect.arrayContaining(['domain:tracker.bad-example.com', 'ip:198.51.100.99']),
    );
  });

  it('reads the hashes of files[] on an alert, and a bare address as the HTTP host is an IP', () => {
    const download = entities(
      byTitle(result, 'ET INFO Executable download from a dotted-quad host')[0],
    );
    expect(download).toEqual(
      expect.arrayContaining([
        'hash:5d41402abc4b2a76b9719d911017c592',
        'hash:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d',
        'hash:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
        // kept on the alert, but never a correlation key
        'hash:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ]),
    );
    expect(download).not.toContain('domain:203.0.113.80');
    expect(download).toContain('ip:203.0.113.80');
  });

  it('keeps broadcast, multicast and loopback addresses on the alert, none of them correlating', () => {
    const kept = result.alerts.flatMap((a) => a.entities);
    for (const value of ['0.0.0.0', '255.255.255.255', '224.0.0.251', 'ff02::fb', '127.0.0.1']) {
      const entity = kept.find((e) => e.kind === 'ip' && e.value === value);
      expect(entity, value).toBeDefined();
      expect(isCorrelatingEntity(entity!), value).toBe(false);
    }
    expect(isCorrelatingEntity({ kind: 'ip', value: '192.168.20.7' })).toBe(true);
  });
});

describe('Wazuh', () => {
  const result = parseFixture('wazuh-forwarded.ndjson');
  const sshd = byTitle(result, 'sshd: Attempt to login using a non-existent user');

  it('names the host of a log forwarded through the manager from predecoder.hostname', () => {
    expect(result.errors).toEqual([]);
    expect(sshd.map((a) => entities(a).filter((e) => e.startsWith('host:')))).toEqual([
      ['host:fw-edge-01'],
      ['host:mail-01'],
    ]);
  });

  it('reads an IP written with its port', () => {
    expect(entities(byTitle(result, 'Web server 400 error code.')[0])).toContain(
      'ip:192.168.10.21',
    );
  });

  it('reads the Suricata EVE fields of an ids/suricata alert under data, with its ATT&CK metadata', () => {
    const [ids] = byTitle(
      result,
      'Suricata: Alert - ET POLICY Suspicious inbound to mySQL port 3306',
    );
    expect(entities(ids)).toEqual(
      expect.arrayContaining([
        'ip:198.51.100.66',
        'ip:192.168.10.30',
        'domain:db.corp-example.net',
        'url:http://db.corp-example.net/',
      ]),
    );
    expect(ids?.tactic).toBe('TA0001');
    expect(ids?.technique).toBe('T1190');
  });

  it('drops the angle brackets of a Dovecot user; 127.0.0.1 is kept but does not correlate', () => {
    const dovecot = byTitle(result, 'Dovecot Invalid User Login Attempt.');
    expect(dovecot.map((a) => entities(a).filter((e) => e.startsWith('user:')))).toEqual([
      ['user:violet'],
      ['user:rose'],
    ]);
    expect(entities(dovecot[0])).toContain('ip:127.0.0.1');
    expect(isCorrelatingEntity({ kind: 'ip', value: '127.0.0.1' })).toBe(false);
  });

  it('reads rule.mitre.id and tactic', () => {
    expect(sshd[0]?.tactic).toBe('TA0006');
    expect(sshd[0]?.technique).toBe('T1110.001');
    expect(sshd[0]?.techniqueName).toBe('Password Guessing');
  });
});

describe('Elastic Security', () => {
  it('unwraps es_archiver documents with value._source and value._id or value.id', () => {
    const result = parseFixture('ecs-es-archive.txt');
    expect(result.errors).toEqual([]);
    expect(result.format).toBe('ecs');
    expect(result.alerts.map((a) => [a.sourceRef, a.title])).toEqual([
      [
        '8c5f0b6e2d3a41f6b7e9a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2',
        'Unusual Process Network Connection',
      ],
      ['0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a', 'Credential Dumping - Detected'],
    ]);
    // COR-1: the source event's time
    expect(result.alerts[0]?.timestamp).toBe(Date.UTC(2024, 8, 1, 12, 0, 1));
  });

  it('clamps a risk score above 100 instead of refusing the alert', () => {
    const result = parseFixture('ecs-es-archive.txt');
    expect(result.alerts[1]?.score).toBe(100);
    const low = parseNdjsonLine(
      JSON.stringify({
        '@timestamp': '2024-09-01T00:00:00Z',
        'kibana.alert.uuid': 'neg',
        'kibana.alert.rule.name': 'Negative',
        'kibana.alert.risk_score': -5,
      }),
      1,
      'n.json',
    );
    expect(low.kind === 'alert' && low.alert.score).toBe(1);
  });

  it('reads an Attack Discovery: its own title, summary, tactic, and the entities its markdown names', () => {
    const result = parseFixture('ecs-attack-discovery.ndjson');
    expect(result.errors).toEqual([]);
    const [discovery] = result.alerts;
    expect(discovery?.title).toBe('Coordinated credential access across hosts');
    expect(discovery?.type).toBe('attack-discovery');
    expect(discovery?.score).toBe(100);
    expect(discovery?.tactic).toBe('TA0006');
    expect(discovery?.description).toBe(
      'Credential dumping with mimikatz.exe on LAB-WS-07 by lab-admin.',
    );
    // Anonymized UUIDs are read back through `replacements`; an unresolved one is no entity.
    expect(entities(discovery)).toEqual(['host:lab-ws-07', 'user:lab-admin', 'ip:198.51.100.150']);
  });

  it('with --format ecs, says a record is not an Elastic alert instead of blaming a field', () => {
    const result = parseAlertFile(JSON.stringify({ hello: 'world', value: { source: 1 } }), {
      fileName: 'x.json',
      format: 'ecs',
    });
    expect(result.errors).toEqual([
      {
        file: 'x.json',
        line: 1,
        message:
          'record is not an Elastic Security alert: it has no kibana.alert.* (or legacy signal.*) fields, neither at the top nor inside _source or an es_archiver value',
      },
    ]);
  });
});

describe('TheHive', () => {
  const result = parseFixture('thehive-custom-types.json');

  it('maps custom data types by name and classifies unknown ones by their value', () => {
    expect(result.errors).toEqual([]);
    expect(entities(result.alerts[0])).toEqual([
      'host:bastion-01',
      'host:sensor-01',
      'user:oracle',
      'ip:192.168.10.21',
      'ip:192.168.10.22',
      'ip:198.51.100.7',
      'ip:198.51.100.8',
      'ip:2001:db8::66',
      'domain:c2.bad-example.net',
      'hash:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
      'email:soc@corp.example',
      'url:https://bad-example.net/stage.sh',
    ]);
  });

  it('reads an alert wrapped in a Cortex responder job ({"dataType": "thehive:alert", "data": …})', () => {
    const wrapped = result.alerts[1];
    expect(wrapped?.source).toBe('SecurityOnion');
    expect(wrapped?.sourceRef).toBe('so-2024-0902-0001');
    expect(entities(wrapped)).toEqual(['ip:192.168.10.30', 'ip:198.51.100.66']);
  });

  it('reads `file_hash` as a hash, and data types named like object members as any other', () => {
    const line = JSON.stringify({
      source: 'x',
      sourceRef: 'y',
      type: 'z',
      title: 't',
      date: 1725264000000,
      artifacts: [
        { dataType: 'file_hash', data: '44D88612FEA8A8F36DE82E1278ABB02F' },
        { dataType: 'file_path', data: 'C:\\Temp\\evil.example.net' },
        { dataType: 'constructor', data: 'x.bad-example.org' },
        { dataType: 'toString', data: '10.1.1.1' },
        { dataType: '__proto__', data: 'plain words' },
      ],
    });
    const parsed = parseNdjsonLine(line, 1, 'h.json');
    expect(parsed.kind === 'alert' && entities(parsed.alert)).toEqual([
      'ip:10.1.1.1',
      'domain:x.bad-example.org',
      'hash:44d88612fea8a8f36de82e1278abb02f',
    ]);
  });

  it('classifies values by form, and never takes a file name for a domain', () => {
    expect(classifyObservableValue('10.0.0.1')).toBe('ip');
    expect(classifyObservableValue('https://x.example/a')).toBe('url');
    expect(classifyObservableValue('a.b@example.org')).toBe('email');
    expect(classifyObservableValue('44d88612fea8a8f36de82e1278abb02f')).toBe('hash');
    expect(classifyObservableValue('evil.example.net')).toBe('domain');
    expect(classifyObservableValue('invoice.pdf')).toBeNull();
    expect(classifyObservableValue('payload.exe')).toBeNull();
    expect(classifyObservableValue('seen twice')).toBeNull();
  });
});

describe('a UTF-8 byte order mark', () => {
  const lines = readFileSync(join(ALERT_FIXTURES, 'suricata7-alerts.ndjson'), 'utf8');
  const withBom = `\ufeff${lines}`;

  it('does not fail line 1 of NDJSON, read whole or as a stream', () => {
    const whole = parseAlertFile(withBom, { fileName: 'bom.ndjson' });
    expect(whole.errors).toEqual([]);
    expect(whole.alerts).toHaveLength(10);
    const batches = [
      ...readAlertStream([withBom], { fileName: 'bom.ndjson', format: 'auto', batchSize: 100 }),
    ];
    expect(batches.flatMap((b) => b.errors)).toEqual([]);
    expect(batches.reduce((n, b) => n + b.alerts.length, 0)).toBe(10);
  });

  it('nor at the start of a line of concatenated files', () => {
    const [first, second] = lines.split('\n');
    const result = parseAlertFile(`${first}\n\ufeff${second}\n`, { fileName: 'cat.ndjson' });
    expect(result.errors).toEqual([]);
    expect(result.alerts).toHaveLength(2);
  });
});

describe('tenant names in the Watchfloor format', () => {
  const record = (tenant: string) =>
    JSON.stringify({
      source: 's',
      sourceRef: `r-${tenant}`,
      title: 't',
      timestamp: '2025-01-01T00:00:00Z',
      severity: 'low',
      tenant,
    });

  it('refuses the admin organisation in any case, at the record`s own line', () => {
    const text = [record('Acme'), record('admin'), record('ADMIN'), record(' Admin ')].join('\n');
    const result = parseAlertFile(text, { fileName: 't.ndjson' });
    expect(result.alerts.map((a) => a.tenant)).toEqual(['Acme']);
    expect(result.errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(result.errors[1]?.message).toBe(
      `tenant: "ADMIN" is the reserved 'admin' organisation, which holds no alerts (ADM-1)`,
    );
  });
});

describe('depthExceededAt', () => {
  it('finds the bracket that opens one level too many, ignoring brackets in strings', () => {
    expect(depthExceededAt('[[[]]]', 3)).toBeNull();
    expect(depthExceededAt('[[[[]]]]', 3)).toBe(3);
    expect(depthExceededAt(`{"a":"${'['.repeat(50)}"}`, 3)).toBeNull();
    expect(depthExceededAt(`{"a":"\\"[[[[","b":[[[1]]]}`, 3)).toBe(20);
    expect(depthExceededAt('[{}, {}, {}, {}, {}]', 2)).toBeNull();
  });
});
