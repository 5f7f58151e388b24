import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  normalizedAlertSchema,
  parseIso8601,
  toWatchfloorAlert,
} from '../../shared/domain/alert-format';
import { detectFormat } from '../../shared/domain/ingest/detect';
import {
  MAX_RECORD_BYTES,
  parseAlertFile,
  parseNdjsonLine,
  type ParseAlertFileResult,
} from '../../shared/domain/ingest/parse';

const FIXTURES = join(__dirname, '..', 'fixtures', 'alerts');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

function parseFixture(name: string): ParseAlertFileResult {
  return parseAlertFile(fixture(name), { fileName: name });
}

function firstLine(name: string): unknown {
  return JSON.parse(fixture(name).split('\n')[0] ?? '');
}

function expectValidAlerts(result: ParseAlertFileResult): void {
  for (const alert of result.alerts)
    expect(normalizedAlertSchema.safeParse(alert).success).toBe(true);
}

describe('parseIso8601', () => {
  it.each([
    ['2024-05-01T10:15:00Z', Date.UTC(2024, 4, 1, 10, 15)],
    ['2024-05-01T10:15:00.123456789Z', Date.UTC(2024, 4, 1, 10, 15, 0, 123)],
    ['2024-05-01T12:15:00+02:00', Date.UTC(2024, 4, 1, 10, 15)],
    ['2024-05-28T09:39:37.034492+0000', Date.UTC(2024, 4, 28, 9, 39, 37, 34)],
    ['2024-02-15T16:05:11.486-0300', Date.UTC(2024, 1, 15, 19, 5, 11, 486)],
    ['2024-05-01 10:15:00', Date.UTC(2024, 4, 1, 10, 15)],
    ['2024-05-01', Date.UTC(2024, 4, 1)],
  ])('reads %j', (text, expected) => {
    expect(parseIso8601(text)).toBe(expected);
  });

  it.each([
    'yesterday',
    '{timestamp}',
    '2024-02-30T00:00:00Z',
    '2024-13-01',
    '2024-05-01T25:00:00Z',
    '',
  ])('rejects %j', (text) => {
    expect(parseIso8601(text)).toBeNull();
  });
});

describe('detectFormat', () => {
  it('recognises one record of each format', () => {
    expect(detectFormat(JSON.parse(fixture('watchfloor.json'))[0])).toBe('watchfloor');
    expect(detectFormat(firstLine('ecs-alerts.ndjson'))).toBe('ecs');
    expect(detectFormat(JSON.parse(fixture('ecs-alerts.ndjson').split('\n')[1] ?? ''))).toBe('ecs');
    expect(detectFormat(firstLine('suricata-eve.ndjson'))).toBe('suricata');
    expect(detectFormat(firstLine('wazuh-alerts.ndjson'))).toBe('wazuh');
    expect(detectFormat(JSON.parse(fixture('thehive.json'))[0])).toBe('thehive');
    expect(detectFormat(JSON.parse(fixture('thehive.json'))[1])).toBe('thehive');
  });

  it('recognises wrapped documents (search hits, es_archiver)', () => {
    const wazuh = firstLine('wazuh-alerts.ndjson');
    expect(detectFormat({ _index: 'wazuh-alerts-4.x', _id: 'x', _source: wazuh })).toBe('wazuh');
    const ecs = firstLine('ecs-alerts.ndjson');
    expect(detectFormat({ type: 'doc', value: { id: 'x', index: 'i', source: ecs } })).toBe('ecs');
  });

  it('returns null for anything else', () => {
    expect(detectFormat({ name: 'package', version: '1.0.0' })).toBeNull();
    expect(detectFormat([1, 2])).toBeNull();
    expect(detectFormat('alert')).toBeNull();
    expect(detectFormat(null)).toBeNull();
  });
});

describe('Watchfloor format', () => {
  const result = parseFixture('watchfloor.json');

  it('reads every alert of a JSON array', () => {
    expect(result.errors).toEqual([]);
    expect(result.format).toBe('watchfloor');
    expect(result.alerts.map((alert) => alert.sourceRef)).toEqual([
      'edr-000101',
      'edr-000102',
      'msg-88213',
    ]);
    expectValidAlerts(result);
  });

  it('normalizes fields, entities, severity and TLP', () => {
    const [first, second, third] = result.alerts;
    expect(first).toMatchObject({
      source: 'edr-prod',
      type: 'process',
      timestamp: Date.UTC(2024, 4, 1, 10, 15),
      score: 70,
      tactic: 'TA0002',
      tacticName: 'Execution',
      technique: 'T1059.001',
      techniqueName: 'PowerShell',
      tenant: 'acme',
      tags: ['edr', 'powershell'],
      tlp: 'AMBER',
      raw: { process: { name: 'powershell.exe', parent: 'winword.exe' } },
    });
    expect(first?.entities).toEqual([
      { kind: 'host', value: 'ws-0142.corp.acme.example' },
      { kind: 'user', value: 'acme\\j.doe' },
      { kind: 'hash', value: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
    ]);
    expect(second).toMatchObject({ score: 62, tlp: 'CLEAR', tenant: null, technique: null });
    expect(second?.entities).toContainEqual({ kind: 'ip', value: '2001:db8::1' });
    expect(second?.entities).toContainEqual({ kind: 'domain', value: 'update-check.example.net' });
    // No type, description or tlp: defaults; no raw: the record itself.
    expect(third).toMatchObject({ type: 'alert', description: '', tlp: 'AMBER', score: 45 });
    expect(third?.raw).toMatchObject({ sourceRef: 'msg-88213' });
  });

  it('reports the line where each array element starts', () => {
    const text = [
      '[',
      '  {"source":"s","sourceRef":"1","title":"A","timestamp":"2024-01-01T00:00:00Z","severity":10},',
      '  {',
      '    "source": "s", "sourceRef": "2", "title": "B",',
      '    "timestamp": "not a date", "severity": 10',
      '  },',
      '',
      '  {"source":"s","sourceRef":"3","title":"C","timestamp":"2024-01-01T00:00:00Z","severity":"bogus"},',
      '  42',
      ']',
    ].join('\n');
    const parsed = parseAlertFile(text, { fileName: 'array.json' });
    expect(parsed.alerts.map((alert) => alert.sourceRef)).toEqual(['1']);
    expect(parsed.errors).toEqual([
      { file: 'array.json', line: 3, message: 'timestamp: "not a date" is not an ISO 8601 date' },
      {
        file: 'array.json',
        line: 8,
        message: 'severity: "bogus" is not a number 0-100 or one of low, medium, high, critical',
      },
      { file: 'array.json', line: 9, message: 'record is a number, not a JSON object' },
    ]);
  });

  it('reads a single pretty-printed object and concatenated objects with their lines', () => {
    const one =
      '{\n  "source": "s",\n  "sourceRef": "x",\n  "title": "T",\n  "timestamp": "2024-01-01T00:00:00Z",\n  "severity": "low"\n}\n';
    expect(parseAlertFile(one, { fileName: 'one.json' }).alerts).toHaveLength(1);
    const broken = one.replace('"title": "T"', '"title": 7');
    const two = `${one}\n${broken}`;
    const parsed = parseAlertFile(two, { fileName: 'two.json' });
    expect(parsed.alerts).toHaveLength(1);
    expect(parsed.errors).toEqual([
      { file: 'two.json', line: 9, message: 'title: 7 is not a string' },
    ]);
  });

  it('round-trips: a normalized alert written back in the format reads the same', () => {
    for (const alert of result.alerts) {
      const line = JSON.stringify(toWatchfloorAlert(alert));
      const again = parseNdjsonLine(line, 1, 'roundtrip.ndjson');
      expect(again.kind).toBe('alert');
      if (again.kind === 'alert') expect(again.alert).toEqual(alert);
    }
  });
});

describe('malformed records', () => {
  const result = parseFixture('malformed.ndjson');

  it('reports each bad record with its line and goes on', () => {
    expect(result.alerts.map((alert) => alert.sourceRef)).toEqual(['ok-1', 'ok-2']);
    expect(result.errors.map((error) => error.line)).toEqual([2, 3, 4, 6]);
    for (const error of result.errors) expect(error.file).toBe('malformed.ndjson');
  });

  it('says what was wrong and where', () => {
    const [badJson, badType, badTime, badIds] = result.errors.map((error) => error.message);
    expect(badJson).toMatch(/^invalid JSON: /);
    expect(badType).toBe('title: 42 is not a string');
    expect(badTime).toBe('timestamp: "yesterday" is not an ISO 8601 date');
    expect(badIds).toBe(
      'severity: "extreme" is not a number 0-100 or one of low, medium, high, critical; ' +
        'technique: "T59" is not an ATT&CK technique id like T1059 or T1059.001',
    );
  });

  it('locates a JSON syntax error in the file', () => {
    const text =
      '{"source":"s","sourceRef":"1","title":"A","timestamp":"2024-01-01T00:00:00Z","severity":1}\n{"source": "s",, "x": 1}\n';
    const parsed = parseAlertFile(text, { fileName: 'syntax.ndjson' });
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]?.line).toBe(2);
    expect(parsed.errors[0]?.message).toMatch(/^invalid JSON: .*at line 2 column 16/);
  });

  it('reports a truncated JSON array and keeps the complete records', () => {
    const parsed = parseFixture('truncated-array.txt');
    expect(parsed.alerts.map((alert) => alert.sourceRef)).toEqual(['t-1']);
    expect(parsed.errors).toEqual([
      {
        file: 'truncated-array.txt',
        line: 1,
        message: 'the JSON array is not closed: the file ends before its "]" (invalid JSON)',
      },
      {
        file: 'truncated-array.txt',
        line: 9,
        message: 'record is not closed: the file ends inside it (invalid JSON)',
      },
    ]);
  });

  it('reports a wrong type in a field of every third-party format', () => {
    const wazuh = JSON.parse(fixture('wazuh-alerts.ndjson').split('\n')[0] ?? '');
    wazuh.rule.level = 'high';
    expect(parseNdjsonLine(JSON.stringify(wazuh), 7, 'w.json')).toEqual({
      kind: 'error',
      error: { file: 'w.json', line: 7, message: 'rule.level: "high" is not a rule level 0-15' },
    });
    const suricata = JSON.parse(fixture('suricata-eve.ndjson').split('\n')[0] ?? '');
    suricata.alert.severity = '1';
    const suricataResult = parseNdjsonLine(JSON.stringify(suricata), 1, 's.json');
    expect(suricataResult.kind === 'error' && suricataResult.error.message).toBe(
      'alert.severity: "1" is not a number (1 = high, 2 = medium, 3 = low)',
    );
    const thehive = JSON.parse(fixture('thehive.json'))[1];
    thehive.severity = 9;
    const theHiveResult = parseNdjsonLine(JSON.stringify(thehive), 1, 't.json');
    expect(theHiveResult.kind === 'error' && theHiveResult.error.message).toBe(
      'severity: 9 is not a severity 1-4 (low, medium, high, critical)',
    );
    const ecs = JSON.parse(fixture('ecs-alerts.ndjson').split('\n')[0] ?? '');
    ecs['kibana.alert.risk_score'] = 'very';
    const ecsResult = parseNdjsonLine(JSON.stringify(ecs), 1, 'e.json');
    expect(ecsResult.kind === 'error' && ecsResult.error.message).toBe(
      'kibana.alert.risk_score: "very" is not a number',
    );
  });

  it('reports a timestamp that does not parse in every format', () => {
    const wazuh = JSON.parse(fixture('wazuh-alerts.ndjson').split('\n')[0] ?? '');
    wazuh.timestamp = '{timestamp}';
    const wazuhResult = parseNdjsonLine(JSON.stringify(wazuh), 1, 'w.json');
    expect(wazuhResult.kind === 'error' && wazuhResult.error.message).toBe(
      'timestamp: "{timestamp}" is not an ISO 8601 date',
    );
    const ecs = JSON.parse(fixture('ecs-alerts.ndjson').split('\n')[0] ?? '');
    ecs['kibana.alert.original_time'] = 'soon';
    const ecsResult = parseNdjsonLine(JSON.stringify(ecs), 1, 'e.json');
    expect(ecsResult.kind === 'error' && ecsResult.error.message).toBe(
      'kibana.alert.original_time: "soon" is not an ISO 8601 date',
    );
    const thehive = JSON.parse(fixture('thehive.json'))[1];
    thehive.date = 'last week';
    const theHiveResult = parseNdjsonLine(JSON.stringify(thehive), 1, 't.json');
    expect(theHiveResult.kind === 'error' && theHiveResult.error.message).toBe(
      'date: "last week" is not a date (epoch milliseconds or ISO 8601)',
    );
  });

  it('reports missing required fields', () => {
    const line = JSON.stringify({ source: 's', sourceRef: 'r', severity: 10 });
    const missing = parseNdjsonLine(line, 3, 'm.json');
    expect(missing.kind === 'error' && missing.error.message).toBe(
      'title: is required; timestamp: is required',
    );
  });
});

describe('oversized records', () => {
  const huge = `{"source":"s","sourceRef":"big","title":"x","timestamp":"2024-01-01T00:00:00Z","severity":1,"raw":"${'A'.repeat(50 * 1024 * 1024)}"}`;

  it('reports a 50 MB line instead of reading it (line API)', () => {
    const result = parseNdjsonLine(huge, 12, 'huge.ndjson');
    expect(result).toEqual({
      kind: 'error',
      error: {
        file: 'huge.ndjson',
        line: 12,
        message: 'record is 50.0 MB, larger than the 10.0 MB limit; it was not read',
      },
    });
  });

  it('reports a 50 MB line in a file and reads the other lines', () => {
    const small =
      '{"source":"s","sourceRef":"small","title":"x","timestamp":"2024-01-01T00:00:00Z","severity":1}';
    const result = parseAlertFile(`${small}\n${huge}\n${small.replace('small', 'small-2')}\n`, {
      fileName: 'huge.ndjson',
    });
    expect(result.alerts.map((alert) => alert.sourceRef)).toEqual(['small', 'small-2']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 2 });
    expect(result.errors[0]?.message).toContain('larger than the 10.0 MB limit');
  });

  it('counts bytes, not characters, near the limit', () => {
    const multiByte = `{"title":"${'é'.repeat(MAX_RECORD_BYTES / 2 + 10)}"}`;
    const result = parseNdjsonLine(multiByte, 1, 'utf8.ndjson');
    expect(result.kind === 'error' && result.error.message).toMatch(
      /larger than the 10.0 MB limit/,
    );
  });
});

describe('files that are not alert files', () => {
  it('gives one clear error for a CSV file', () => {
    const result = parseFixture('not-alerts.csv');
    expect(result.alerts).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ file: 'not-alerts.csv', line: 1 });
    expect(result.errors[0]?.message).toMatch(/^not an alert file: expected a JSON array/);
  });

  it('gives one clear error for JSON that holds no alert', () => {
    const result = parseFixture('not-alerts.json');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.message).toMatch(
      /^not an alert file: none of its 1 JSON record\(s\) is in a known alert format/,
    );
  });

  it('gives one clear error for an empty file', () => {
    expect(parseAlertFile(' \n\n', { fileName: 'empty.json' }).errors).toEqual([
      { file: 'empty.json', line: 1, message: 'the file is empty: no alert records' },
    ]);
  });
});

describe('Elastic Security (ECS)', () => {
  const result = parseFixture('ecs-alerts.ndjson');

  it('reads flat dotted keys and nested objects', () => {
    expect(result.errors).toEqual([]);
    expect(result.format).toBe('ecs');
    expect(result.alerts).toHaveLength(2);
    expectValidAlerts(result);
  });

  it('maps rule, risk score, ATT&CK, event time and entities', () => {
    const [flat, nested] = result.alerts;
    expect(flat).toMatchObject({
      source: 'elastic-security',
      sourceRef: '5b1f8a3e0c9d4e2fa17b6c3d9e8f7a60',
      title: 'Suspicious PowerShell Download',
      type: 'query',
      score: 73,
      timestamp: Date.UTC(2024, 2, 4, 8, 0, 59, 1), // kibana.alert.original_time
      tactic: 'TA0002',
      tacticName: 'Execution',
      technique: 'T1059.001',
      techniqueName: 'PowerShell',
      tags: ['Windows', 'Execution'],
    });
    expect(flat?.description).toMatch(/^process event with process powershell.exe/);
    expect(flat?.entities).toEqual([
      { kind: 'host', value: 'fin-srv-02' },
      { kind: 'user', value: 'svc-backup' },
      { kind: 'ip', value: '10.1.2.3' },
      { kind: 'ip', value: '203.0.113.77' },
      { kind: 'domain', value: 'cdn.bad-example.org' },
      { kind: 'hash', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      { kind: 'url', value: 'http://cdn.bad-example.org/stage2.ps1' },
    ]);
    // Nested kibana.alert object inside a search hit: _id is the reference, severity word scores.
    expect(nested).toMatchObject({
      sourceRef: 'c0ffee0000000000000000000000000000000000000000000000000000000001',
      title: 'Multiple Logon Failures',
      score: 45,
      timestamp: Date.UTC(2024, 2, 4, 9, 30),
      tactic: null,
    });
    expect(nested?.entities).toEqual([
      { kind: 'host', value: 'dc01' },
      { kind: 'user', value: 'admin' },
      { kind: 'ip', value: '198.51.100.23' },
      { kind: 'domain', value: 'login.example.com' },
      { kind: 'email', value: 'alerts@example.com' },
    ]);
    expect(nested?.raw).toMatchObject({ _id: nested?.sourceRef });
  });

  it('reports an alert with no rule name', () => {
    const record = JSON.parse(fixture('ecs-alerts.ndjson').split('\n')[0] ?? '');
    delete record['kibana.alert.rule.name'];
    const parsed = parseNdjsonLine(JSON.stringify(record), 4, 'e.json');
    expect(parsed.kind === 'error' && parsed.error.message).toBe(
      'kibana.alert.rule.name: is required',
    );
  });
});

describe('Suricata EVE', () => {
  const result = parseFixture('suricata-eve.ndjson');

  it('reads alerts and skips (counts) the other event types', () => {
    expect(result.errors).toEqual([]);
    expect(result.format).toBe('suricata');
    expect(result.alerts).toHaveLength(3);
    expect(result.skipped).toBe(3);
    expectValidAlerts(result);
  });

  it('maps severity 1..3 to high, medium, low and reads MITRE metadata', () => {
    expect(result.alerts.map((alert) => alert.score)).toEqual([70, 45, 20]);
    expect(result.alerts[0]).toMatchObject({
      title: 'ET MALWARE Possible Cobalt Strike Beacon TLS SNI',
      timestamp: Date.UTC(2024, 5, 10, 14, 22, 1, 123),
      tactic: 'TA0011',
      tacticName: 'Command and Control',
      technique: 'T1071',
      techniqueName: 'Application Layer Protocol',
      sourceRef: '1234567890123456:2024-06-10T14:22:01.123456+0000:1:2030000:3:0',
    });
    expect(result.alerts[0]?.entities).toEqual([
      { kind: 'ip', value: '192.168.10.15' },
      { kind: 'ip', value: '198.51.100.200' },
      { kind: 'domain', value: 'beacon.bad-example.net' },
    ]);
    expect(result.alerts[1]?.entities).toContainEqual({
      kind: 'url',
      value: 'http://downloads.example.com/tool.sh',
    });
    expect(result.alerts[2]?.entities).toContainEqual({
      kind: 'email',
      value: 'eve@bad-example.net',
    });
  });

  it('gives two signatures on the same packet different references', () => {
    const base = JSON.parse(fixture('suricata-eve.ndjson').split('\n')[0] ?? '');
    const other = { ...base, alert: { ...base.alert, signature_id: 2030001 } };
    const text = `${JSON.stringify(base)}\n${JSON.stringify(other)}\n`;
    const parsed = parseAlertFile(text, { fileName: 'two.json' });
    expect(parsed.alerts).toHaveLength(2);
    expect(new Set(parsed.alerts.map((alert) => alert.sourceRef)).size).toBe(2);
  });

  it('reports a non-alert line as skipped in the line API', () => {
    const flowLine = fixture('suricata-eve.ndjson').split('\n')[1] ?? '';
    expect(parseNdjsonLine(flowLine, 2, 'eve.json').kind).toBe('skipped');
    expect(parseNdjsonLine('   ', 3, 'eve.json').kind).toBe('blank');
  });
});

describe('Wazuh alerts.json', () => {
  const result = parseFixture('wazuh-alerts.ndjson');

  it('reads every alert', () => {
    expect(result.errors).toEqual([]);
    expect(result.format).toBe('wazuh');
    expect(result.alerts.map((alert) => alert.sourceRef)).toEqual([
      '1708426923.4421',
      '1708427141.9931',
      '1708427160.10332',
    ]);
    expectValidAlerts(result);
  });

  it('maps level, MITRE names and entities', () => {
    const [bruteForce, integrity, session] = result.alerts;
    expect(bruteForce).toMatchObject({
      title: 'sshd: brute force trying to get access to the system. Authentication failed.',
      score: 42,
      tactic: 'TA0006',
      tacticName: 'Credential Access',
      technique: 'T1110',
      techniqueName: 'Brute Force',
      timestamp: Date.UTC(2024, 1, 20, 11, 2, 3, 456),
    });
    expect(bruteForce?.description).toMatch(/^Feb 20 11:02:03 web-01 sshd/);
    expect(bruteForce?.entities).toEqual([
      { kind: 'host', value: 'web-01' },
      { kind: 'user', value: 'admin' },
      { kind: 'ip', value: '203.0.113.50' },
    ]);
    expect(integrity?.score).toBe(27);
    expect(integrity?.entities).toContainEqual({
      kind: 'hash',
      value: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
    });
    expect(session?.entities).toContainEqual({ kind: 'user', value: 'deploy' }); // (uid=1001) stripped
    expect(session?.score).toBe(10);
  });

  it('maps levels into the Watchfloor bands', async () => {
    const { wazuhLevelScore } = await import('../../shared/domain/ingest/wazuh');
    const { severityForScore } = await import('../../shared/domain/severity');
    expect([0, 6].map((level) => severityForScore(wazuhLevelScore(level)))).toEqual(['Low', 'Low']);
    expect([7, 11].map((level) => severityForScore(wazuhLevelScore(level)))).toEqual([
      'Medium',
      'Medium',
    ]);
    expect([12, 14].map((level) => severityForScore(wazuhLevelScore(level)))).toEqual([
      'High',
      'High',
    ]);
    expect(severityForScore(wazuhLevelScore(15))).toBe('Critical');
  });

  it('reads the same alert inside an index document', () => {
    const record = JSON.parse(fixture('wazuh-alerts.ndjson').split('\n')[0] ?? '');
    const wrapped = JSON.stringify({
      _index: 'wazuh-alerts-4.x-2024.02.20',
      _id: 'abc',
      _source: record,
    });
    const parsed = parseNdjsonLine(wrapped, 1, 'w.json');
    expect(parsed.kind === 'alert' && parsed.alert.sourceRef).toBe('1708426923.4421');
  });
});

describe('TheHive alerts', () => {
  const result = parseFixture('thehive.json');

  it('reads TheHive 5 (observables) and TheHive 3/4 (artifacts) alerts', () => {
    expect(result.errors).toEqual([]);
    expect(result.format).toBe('thehive');
    expect(result.alerts).toHaveLength(2);
    expectValidAlerts(result);
  });

  it('keeps source and sourceRef and maps severity, TLP, procedures and observables', () => {
    const [v5, v3] = result.alerts;
    expect(v5).toMatchObject({
      source: 'mail-gateway',
      sourceRef: 'MG-2024-06-0031',
      type: 'phishing',
      score: 70,
      timestamp: 1717399800000,
      tlp: 'AMBER+STRICT',
      technique: 'T1566.002',
      tactic: 'TA0001',
      tags: ['phishing', 'user-report'],
    });
    expect(v5?.entities).toEqual([
      { kind: 'ip', value: '192.0.2.66' },
      { kind: 'domain', value: 'vpn-reset.example' },
      { kind: 'email', value: 'it-support@vpn-reset.example' },
      { kind: 'url', value: 'https://vpn-reset.example/login' },
    ]);
    // TheHive 3/4: tlp 3 is RED; severity 4 is critical.
    expect(v3).toMatchObject({ source: 'splunk', sourceRef: 'sid-77812', score: 90, tlp: 'RED' });
    expect(v3?.entities).toEqual([
      { kind: 'host', value: 'ws-0099' },
      { kind: 'hash', value: '44d88612fea8a8f36de82e1278abb02f' },
    ]);
  });
});

describe('stability and options', () => {
  it('parsing the same file twice gives identical results', () => {
    for (const name of [
      'watchfloor.json',
      'ecs-alerts.ndjson',
      'suricata-eve.ndjson',
      'wazuh-alerts.ndjson',
      'thehive.json',
      'malformed.ndjson',
    ]) {
      expect(parseFixture(name)).toEqual(parseFixture(name));
    }
  });

  it('keeps the first of two records with the same source and sourceRef', () => {
    const line = fixture('wazuh-alerts.ndjson').split('\n')[0] ?? '';
    const result = parseAlertFile(`${line}\n${line}\n`, { fileName: 'dup.json' });
    expect(result.alerts).toHaveLength(1);
    expect(result.duplicates).toBe(1);
  });

  it('reads every record as the forced format', () => {
    const result = parseAlertFile(fixture('watchfloor.json'), {
      fileName: 'w.json',
      format: 'wazuh',
    });
    expect(result.alerts).toEqual([]);
    expect(result.errors).toHaveLength(3);
    expect(result.errors[0]?.message).toContain('rule.level: is required');
  });

  it('reads a record that matches no format as the file format, for a precise message', () => {
    const good = fixture('wazuh-alerts.ndjson').split('\n')[0] ?? '';
    const text = `${good}\n{"id":"1","timestamp":"2024-01-01T00:00:00Z"}\n`;
    const result = parseAlertFile(text, { fileName: 'mixed.json' });
    expect(result.errors).toEqual([
      {
        file: 'mixed.json',
        line: 2,
        message: 'rule.level: is required; rule.description: is required',
      },
    ]);
  });
});
