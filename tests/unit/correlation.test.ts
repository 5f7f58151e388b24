import { describe, expect, it } from 'vitest';
import {
  correlateAlerts,
  correlationSettingsSchema,
  DEFAULT_CORRELATION_SETTINGS,
  InMemoryCorrelationIndex,
  type CandidateQuery,
  type CaseState,
  type CorrelatableAlert,
  type CorrelationIndex,
  type CorrelationResult,
  type CorrelationSettings,
} from '../../shared/domain/correlation';
import type { EntityRef } from '../../shared/domain/types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TIMEOUT = 180 * MINUTE;
const T0 = Date.UTC(2024, 4, 1, 12, 0);

function host(value: string): EntityRef {
  return { kind: 'host', value };
}
function user(value: string): EntityRef {
  return { kind: 'user', value };
}
function ip(value: string): EntityRef {
  return { kind: 'ip', value };
}

let refCounter = 0;
function alert(overrides: Partial<CorrelatableAlert> = {}): CorrelatableAlert {
  refCounter += 1;
  const sourceRef = overrides.sourceRef ?? `ref-${String(refCounter).padStart(6, '0')}`;
  return {
    id: `alert-${sourceRef}`,
    tenant: 'tenant-a',
    source: 'edr',
    sourceRef,
    title: `Alert ${sourceRef}`,
    score: 40,
    timestamp: T0,
    tactic: null,
    technique: null,
    tacticName: null,
    techniqueName: null,
    entities: [host('ws-1')],
    tlp: 'AMBER',
    ...overrides,
  };
}

/** Last case number given out per index, so engines sharing an index keep numbering. */
const caseNumbers = new WeakMap<object, number>();

/** An engine over an index, with sequential case numbers, that stores every result. */
function engineOver<Index extends CorrelationIndex & { apply(result: CorrelationResult): void }>(
  index: Index,
  settings: Partial<CorrelationSettings> = {},
  isSuppressed?: (alert: CorrelatableAlert) => boolean,
) {
  return {
    index,
    run(alerts: readonly CorrelatableAlert[]): CorrelationResult {
      const result = correlateAlerts(alerts, {
        index,
        settings,
        isSuppressed,
        allocateCase: () => {
          const nextNumber = (caseNumbers.get(index) ?? 0) + 1;
          caseNumbers.set(index, nextNumber);
          return { id: `case-${nextNumber}`, number: nextNumber };
        },
      });
      index.apply(result);
      return result;
    },
  };
}

/** engineOver an in-memory index (a new one unless given). */
function engine(
  settings: Partial<CorrelationSettings> = {},
  isSuppressed?: (alert: CorrelatableAlert) => boolean,
  index: InMemoryCorrelationIndex = new InMemoryCorrelationIndex(),
) {
  return engineOver(index, settings, isSuppressed);
}

describe('settings (COR-2, COR-3)', () => {
  it('defaults to 180 minutes, 5,000 alerts per case and automatic cases', () => {
    expect(DEFAULT_CORRELATION_SETTINGS).toEqual({
      timeoutMinutes: 180,
      alertsPerCase: 5000,
      autoCreateCases: true,
    });
  });

  it('accepts the range edges and refuses values outside', () => {
    expect(correlationSettingsSchema.safeParse({ timeoutMinutes: 1 }).success).toBe(true);
    expect(correlationSettingsSchema.safeParse({ timeoutMinutes: 1440 }).success).toBe(true);
    expect(correlationSettingsSchema.safeParse({ timeoutMinutes: 0 }).success).toBe(false);
    expect(correlationSettingsSchema.safeParse({ timeoutMinutes: 1441 }).success).toBe(false);
    expect(correlationSettingsSchema.safeParse({ alertsPerCase: 1 }).success).toBe(true);
    expect(correlationSettingsSchema.safeParse({ alertsPerCase: 5000 }).success).toBe(true);
    expect(correlationSettingsSchema.safeParse({ alertsPerCase: 0 }).success).toBe(false);
    expect(correlationSettingsSchema.safeParse({ alertsPerCase: 5001 }).success).toBe(false);
    expect(correlationSettingsSchema.safeParse({ alertsPerCase: 2.5 }).success).toBe(false);
  });

  it('refuses invalid settings passed to the engine', () => {
    expect(() =>
      correlateAlerts([alert()], {
        index: new InMemoryCorrelationIndex(),
        allocateCase: () => ({ id: 'c', number: 1 }),
        settings: { timeoutMinutes: 5000 },
      }),
    ).toThrow();
  });
});

describe('joining and creating cases (COR-1)', () => {
  it('starts a System case for an alert with no candidate', () => {
    const { run } = engine();
    const first = alert({ title: 'Brute force', score: 60 });
    const result = run([first]);
    expect(result.alerts).toEqual([{ alertId: first.id, caseId: 'case-1', outcome: 'created' }]);
    expect(result.createdCases).toHaveLength(1);
    expect(result.createdCases[0]).toMatchObject({
      id: 'case-1',
      number: 1,
      tenant: 'tenant-a',
      status: 'New',
      creator: 'System',
      alertCount: 1,
      firstAlertAt: T0,
      lastAlertAt: T0,
      name: 'Brute force',
      score: 60,
      severity: 'High',
      entities: [host('ws-1')],
    });
  });

  it('joins an open case of the same tenant that shares an entity', () => {
    const { run } = engine();
    run([alert({ entities: [host('ws-1'), user('alice')] })]);
    const next = alert({ timestamp: T0 + HOUR, entities: [user('alice'), ip('10.0.0.9')] });
    const result = run([next]);
    expect(result.alerts).toEqual([{ alertId: next.id, caseId: 'case-1', outcome: 'joined' }]);
    expect(result.createdCases).toEqual([]);
    expect(result.updatedCases[0]).toMatchObject({
      id: 'case-1',
      alertCount: 2,
      lastAlertAt: T0 + HOUR,
      entities: [host('ws-1'), user('alice'), ip('10.0.0.9')],
    });
  });

  it('does not join a case of another tenant or one that shares no entity', () => {
    const { run } = engine();
    run([alert({ entities: [host('ws-1')] })]);
    const otherTenant = alert({ tenant: 'tenant-b', timestamp: T0 + MINUTE });
    const otherEntity = alert({ entities: [host('ws-2')], timestamp: T0 + 2 * MINUTE });
    const noEntities = alert({ entities: [], timestamp: T0 + 3 * MINUTE });
    const result = run([otherTenant, otherEntity, noEntities]);
    expect(result.alerts.map((entry) => entry.outcome)).toEqual(['created', 'created', 'created']);
  });

  it('compares entities case-insensitively and IPs canonically', () => {
    const { run } = engine();
    run([alert({ entities: [host('WS-1.corp'), ip('::ffff:10.0.0.1')] })]);
    const byHost = alert({ entities: [host('ws-1.CORP')], timestamp: T0 + MINUTE });
    const byIp = alert({ entities: [ip('10.0.0.1')], timestamp: T0 + 2 * MINUTE });
    const result = run([byHost, byIp]);
    expect(result.alerts.map((entry) => entry.caseId)).toEqual(['case-1', 'case-1']);
  });

  it('lets later alerts of a batch join cases created earlier in it', () => {
    const { run } = engine();
    const result = run([
      alert({ entities: [host('ws-1')] }),
      alert({ entities: [host('ws-1'), user('bob')], timestamp: T0 + MINUTE }),
      alert({ entities: [user('bob')], timestamp: T0 + 2 * MINUTE }),
    ]);
    expect(result.createdCases).toHaveLength(1);
    expect(result.createdCases[0]?.alertCount).toBe(3);
  });

  it('finds a case through entities it had before the batch, with its window as widened in the batch', () => {
    const { run } = engine();
    run([alert({ entities: [host('h1'), ip('10.1.1.1')] })]);
    // Y widens the case to T0+2h through the IP; Z shares only the host and is 4h after T0,
    // which only the widened window (T0+2h + 3h) admits.
    const y = alert({ entities: [ip('10.1.1.1')], timestamp: T0 + 2 * HOUR });
    const z = alert({ entities: [host('h1')], timestamp: T0 + 4 * HOUR });
    const result = run([y, z]);
    expect(result.alerts.map((entry) => entry.caseId)).toEqual(['case-1', 'case-1']);
  });

  it('ignores a repeated (source, sourceRef) within a batch', () => {
    const { run } = engine();
    const original = alert({ sourceRef: 'same' });
    const repeat = { ...original, id: 'alert-other-id' };
    const result = run([original, repeat]);
    expect(result.alerts).toHaveLength(1);
    // The lowest id is kept, so the outcome does not depend on the input order.
    expect(result.alerts[0]?.alertId).toBe('alert-other-id');
    expect(result.duplicateAlertIds).toEqual(['alert-same']);
  });
});

describe('entities that never correlate (COR-1)', () => {
  it('does not join alerts that share only a broadcast, multicast or loopback address, localhost or an empty-file hash', () => {
    const { run } = engine();
    const shared: EntityRef[] = [
      ip('255.255.255.255'),
      ip('224.0.0.251'),
      ip('ff02::fb'),
      ip('127.0.0.1'),
      ip('0.0.0.0'),
      host('localhost'),
      { kind: 'hash', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    ];
    const first = alert({ entities: [ip('192.168.20.7'), ...shared] });
    const second = alert({ entities: [ip('192.168.20.8'), ...shared], timestamp: T0 + MINUTE });
    const result = run([first, second]);
    expect(result.createdCases).toHaveLength(2);
    // They stay on the case: facts about its alerts, only not keys.
    expect(result.createdCases[0]?.entities).toEqual(expect.arrayContaining(shared));
    const third = alert({
      entities: [ip('192.168.20.7'), ip('224.0.0.251')],
      timestamp: T0 + 2 * MINUTE,
    });
    expect(run([third]).alerts[0]).toMatchObject({ caseId: 'case-1', outcome: 'joined' });
  });
});

describe('correlation window (COR-1, COR-2)', () => {
  it('joins exactly timeout after the latest alert, not one ms later', () => {
    const { run } = engine();
    run([alert()]);
    const atEdge = alert({ timestamp: T0 + TIMEOUT });
    expect(run([atEdge]).alerts[0]?.outcome).toBe('joined');
    // The window now ends at T0 + 2 × timeout.
    const beyond = alert({ timestamp: T0 + 2 * TIMEOUT + 1 });
    expect(run([beyond]).alerts[0]?.outcome).toBe('created');
  });

  it('joins exactly timeout before the earliest alert, not one ms earlier', () => {
    const { run } = engine();
    run([alert()]);
    expect(run([alert({ timestamp: T0 - TIMEOUT - 1 })]).alerts[0]?.outcome).toBe('created');
    const { run: runAgain } = engine();
    runAgain([alert()]);
    const atEdge = alert({ timestamp: T0 - TIMEOUT });
    const result = runAgain([atEdge]);
    expect(result.alerts[0]?.outcome).toBe('joined');
    expect(result.updatedCases[0]).toMatchObject({ firstAlertAt: T0 - TIMEOUT, lastAlertAt: T0 });
  });

  it('uses the configured timeout', () => {
    const { run } = engine({ timeoutMinutes: 10 });
    run([alert()]);
    expect(run([alert({ timestamp: T0 + 10 * MINUTE })]).alerts[0]?.outcome).toBe('joined');
    expect(run([alert({ timestamp: T0 + 20 * MINUTE + 1 })]).alerts[0]?.outcome).toBe('created');
  });

  it('a longer timeout pulls in alerts earlier than the earliest alert (COR-2)', () => {
    const index = new InMemoryCorrelationIndex();
    engine({ timeoutMinutes: 60 }, undefined, index).run([alert()]);
    const early = alert({ timestamp: T0 - 5 * HOUR });
    const result = engine({ timeoutMinutes: 360 }, undefined, index).run([early]);
    expect(result.alerts[0]).toMatchObject({ outcome: 'joined', caseId: 'case-1' });
  });

  it('handles out-of-order batches: a late-arriving earlier alert joins and widens the window', () => {
    const { run, index } = engine();
    run([alert({ timestamp: T0 + 10 * HOUR }), alert({ timestamp: T0 + 11 * HOUR })]);
    const late = alert({ timestamp: T0 + 8 * HOUR });
    expect(run([late]).alerts[0]?.caseId).toBe('case-1');
    expect(index.getCase('case-1')).toMatchObject({
      firstAlertAt: T0 + 8 * HOUR,
      lastAlertAt: T0 + 11 * HOUR,
      alertCount: 3,
    });
  });

  it('processes a batch in timestamp order, whatever the input order', () => {
    const { run } = engine();
    // Sorted, the 13:00 alert bridges 12:00 and 15:30; unsorted input would split them.
    const result = run([
      alert({ timestamp: T0 + 3.5 * HOUR, sourceRef: 'c' }),
      alert({ timestamp: T0, sourceRef: 'a' }),
      alert({ timestamp: T0 + HOUR, sourceRef: 'b' }),
    ]);
    expect(result.alerts.map((entry) => entry.alertId)).toEqual(['alert-a', 'alert-b', 'alert-c']);
    expect(result.createdCases).toHaveLength(1);
    expect(result.createdCases[0]?.alertCount).toBe(3);
  });
});

describe('alerts per case (COR-3)', () => {
  it('starts a new case when the candidate is full', () => {
    const { run } = engine({ alertsPerCase: 2 });
    const result = run([
      alert({ timestamp: T0 }),
      alert({ timestamp: T0 + MINUTE }),
      alert({ timestamp: T0 + 2 * MINUTE }),
    ]);
    expect(result.alerts.map((entry) => entry.caseId)).toEqual(['case-1', 'case-1', 'case-2']);
    expect(result.createdCases.map((state) => state.alertCount)).toEqual([2, 1]);
  });

  it('never splits a case when the limit is lowered', () => {
    const index = new InMemoryCorrelationIndex();
    engine({ alertsPerCase: 5 }, undefined, index).run([
      alert({ timestamp: T0 }),
      alert({ timestamp: T0 + MINUTE }),
      alert({ timestamp: T0 + 2 * MINUTE }),
    ]);
    const result = engine({ alertsPerCase: 2 }, undefined, index).run([
      alert({ timestamp: T0 + 3 * MINUTE }),
    ]);
    expect(result.updatedCases).toEqual([]);
    expect(result.createdCases).toHaveLength(1);
    expect(index.getCase('case-1')?.alertCount).toBe(3);
  });
});

describe('closed cases (COR-4)', () => {
  it.each(['Resolved', 'Cancelled'] as const)('a %s case never receives alerts', (status) => {
    const { run, index } = engine();
    run([alert()]);
    const stored = index.getCase('case-1') as CaseState;
    index.upsertCase({ ...stored, status });
    const result = run([alert({ timestamp: T0 + MINUTE })]);
    expect(result.alerts[0]).toMatchObject({ outcome: 'created', caseId: 'case-2' });
  });

  it.each(['In Progress', 'Escalated'] as const)('an %s case receives alerts', (status) => {
    const { run, index } = engine();
    run([alert()]);
    index.upsertCase({ ...(index.getCase('case-1') as CaseState), status });
    expect(run([alert({ timestamp: T0 + MINUTE })]).alerts[0]?.caseId).toBe('case-1');
  });

  it('a reopened case receives alerts again (CAS-4)', () => {
    const { run, index } = engine();
    run([alert()]);
    const stored = index.getCase('case-1') as CaseState;
    index.upsertCase({ ...stored, status: 'Resolved' });
    index.upsertCase({ ...stored, status: 'In Progress' });
    expect(run([alert({ timestamp: T0 + MINUTE })]).alerts[0]?.caseId).toBe('case-1');
  });
});

describe('case filters and automatic creation (COR-5)', () => {
  const isNoise = (candidate: CorrelatableAlert): boolean => candidate.title.startsWith('Noise');

  it('keeps a matching alert with no candidate unlinked and suppressed', () => {
    const { run } = engine({}, isNoise);
    const noise = alert({ title: 'Noise: scanner' });
    const result = run([noise]);
    expect(result.alerts).toEqual([{ alertId: noise.id, caseId: null, outcome: 'suppressed' }]);
    expect(result.createdCases).toEqual([]);
  });

  it('still lets a matching alert join an existing case (filters suppress creation only)', () => {
    const { run } = engine({}, isNoise);
    run([alert({ title: 'Real alert' })]);
    const noise = alert({ title: 'Noise: scanner', timestamp: T0 + MINUTE });
    expect(run([noise]).alerts[0]).toMatchObject({ outcome: 'joined', caseId: 'case-1' });
  });

  it('leaves alerts with no candidate unlinked, not suppressed, when automatic cases are off', () => {
    const { run, index } = engine({ autoCreateCases: false }, isNoise);
    const first = alert();
    const noise = alert({ title: 'Noise', entities: [host('other')] });
    const result = run([first, noise]);
    expect(result.alerts.map((entry) => entry.outcome)).toEqual(['unlinked', 'unlinked']);
    expect(index.size).toBe(0);
  });

  it('still joins existing cases when automatic cases are off', () => {
    const index = new InMemoryCorrelationIndex();
    engine({}, undefined, index).run([alert()]);
    const result = engine({ autoCreateCases: false }, undefined, index).run([
      alert({ timestamp: T0 + MINUTE }),
    ]);
    expect(result.alerts[0]).toMatchObject({ outcome: 'joined', caseId: 'case-1' });
  });
});

describe('name, score, severity, What and Who (COR-6, COR-7, COR-8)', () => {
  it('names the case after its highest-severity alert, with "and N others"', () => {
    const { run, index } = engine();
    run([alert({ title: 'Port scan', score: 20 })]);
    expect(index.getCase('case-1')?.name).toBe('Port scan');
    run([alert({ title: 'Ransomware note', score: 90, timestamp: T0 + MINUTE })]);
    expect(index.getCase('case-1')?.name).toBe('Ransomware note and 1 other');
    run([alert({ title: 'Another scan', score: 20, timestamp: T0 + 2 * MINUTE })]);
    expect(index.getCase('case-1')?.name).toBe('Ransomware note and 2 others');
  });

  it('breaks severity ties by earliest timestamp, then source, then sourceRef', () => {
    const { run, index } = engine();
    run([
      alert({ title: 'Later', score: 50, timestamp: T0 + MINUTE, source: 'a', sourceRef: 'a1' }),
      alert({ title: 'From b', score: 50, timestamp: T0, source: 'b', sourceRef: 'b1' }),
      alert({ title: 'From a (2)', score: 50, timestamp: T0, source: 'a', sourceRef: 'a3' }),
      alert({ title: 'From a', score: 50, timestamp: T0, source: 'a', sourceRef: 'a2' }),
    ]);
    expect(index.getCase('case-1')?.name).toBe('From a and 3 others');
  });

  it('never renames a case named by a user', () => {
    const { run, index } = engine();
    run([alert({ title: 'First' })]);
    index.upsertCase({
      ...(index.getCase('case-1') as CaseState),
      name: 'Finance phishing wave',
      nameIsManual: true,
    });
    run([alert({ title: 'Bigger', score: 99, timestamp: T0 + MINUTE })]);
    expect(index.getCase('case-1')).toMatchObject({
      name: 'Finance phishing wave',
      nameIsManual: true,
      alertCount: 2,
    });
  });

  it('raises the score with alerts, tactics and entities, and severity follows it', () => {
    const { run, index } = engine();
    run([alert({ score: 45, tactic: 'TA0001', entities: [host('ws-1')] })]);
    expect(index.getCase('case-1')).toMatchObject({ score: 45, severity: 'Medium' });
    run([
      alert({
        score: 30,
        tactic: 'TA0002',
        entities: [host('ws-1'), user('alice'), ip('10.0.0.1')],
        timestamp: T0 + MINUTE,
      }),
    ]);
    // 45 + 1 (second alert) + 5 (second tactic) + 1 (two more entities)
    expect(index.getCase('case-1')).toMatchObject({
      score: 52,
      severity: 'High',
      tactics: ['TA0001', 'TA0002'],
    });
  });

  it('keeps a severity set by hand while the score moves on', () => {
    const { run, index } = engine();
    run([alert({ score: 30 })]);
    index.upsertCase({
      ...(index.getCase('case-1') as CaseState),
      severity: 'Low',
      severityIsManual: true,
    });
    run([alert({ score: 95, timestamp: T0 + MINUTE })]);
    expect(index.getCase('case-1')).toMatchObject({
      score: 96,
      severity: 'Low',
      severityIsManual: true,
    });
  });

  it('updates What from the lead alert and Who from users and hosts', () => {
    const { run, index } = engine();
    run([
      alert({ score: 30, tactic: 'TA0007', tacticName: 'Discovery', entities: [host('ws-1')] }),
    ]);
    expect(index.getCase('case-1')).toMatchObject({ what: 'TA0007 Discovery', who: 'ws-1' });
    run([
      alert({
        score: 80,
        technique: 'T1059.001',
        techniqueName: 'PowerShell',
        entities: [host('ws-1'), user('alice'), ip('10.0.0.5')],
        timestamp: T0 + MINUTE,
      }),
    ]);
    expect(index.getCase('case-1')).toMatchObject({
      what: 'T1059.001 PowerShell',
      who: 'alice, ws-1',
    });
  });

  it('raises the case TLP to the most restrictive alert TLP', () => {
    const { run, index } = engine();
    run([alert({ tlp: 'GREEN' })]);
    run([alert({ tlp: 'RED', timestamp: T0 + MINUTE })]);
    run([alert({ tlp: 'CLEAR', timestamp: T0 + 2 * MINUTE })]);
    expect(index.getCase('case-1')?.tlp).toBe('RED');
  });
});

describe('candidate choice', () => {
  it('prefers the candidate with the latest last alert', () => {
    const { run } = engine();
    run([
      alert({ entities: [host('h1')], timestamp: T0 }),
      alert({ entities: [user('u1')], timestamp: T0 + 10 * MINUTE }),
    ]);
    const both = alert({ entities: [host('h1'), user('u1')], timestamp: T0 + 20 * MINUTE });
    expect(run([both]).alerts[0]?.caseId).toBe('case-2');
  });

  it('on equal last alert times prefers the lowest case number', () => {
    const { run } = engine();
    run([
      alert({ entities: [host('h1')], timestamp: T0, sourceRef: 'x-1' }),
      alert({ entities: [user('u1')], timestamp: T0, sourceRef: 'x-2' }),
    ]);
    const both = alert({ entities: [user('u1'), host('h1')], timestamp: T0 + MINUTE });
    expect(run([both]).alerts[0]?.caseId).toBe('case-1');
  });

  it('skips a full candidate for the next best one', () => {
    const { run } = engine({ alertsPerCase: 2 });
    run([
      alert({ entities: [host('h1')], timestamp: T0, sourceRef: 'y-1' }),
      alert({ entities: [user('u1')], timestamp: T0, sourceRef: 'y-2' }),
    ]);
    run([alert({ entities: [host('h1')], timestamp: T0 + MINUTE })]); // case-1 is now full
    const both = alert({ entities: [host('h1'), user('u1')], timestamp: T0 + 2 * MINUTE });
    expect(run([both]).alerts[0]?.caseId).toBe('case-2');
  });

  it('skips a closed candidate for the next best one', () => {
    const { run, index } = engine();
    run([
      alert({ entities: [host('h1')], timestamp: T0 + MINUTE, sourceRef: 'z-1' }),
      alert({ entities: [user('u1')], timestamp: T0, sourceRef: 'z-2' }),
    ]);
    index.upsertCase({ ...(index.getCase('case-1') as CaseState), status: 'Cancelled' });
    const both = alert({ entities: [host('h1'), user('u1')], timestamp: T0 + 2 * MINUTE });
    expect(run([both]).alerts[0]?.caseId).toBe('case-2');
  });
});

// ---------------------------------------------------------------------------------------------
// Determinism (COR-9) and the in-memory index against a reference that returns every case.

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function randomAlerts(count: number, seed: number): CorrelatableAlert[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const hosts = Array.from({ length: 40 }, (_, index) => host(`HOST-${index}`));
  const users = Array.from({ length: 25 }, (_, index) => user(`user${index}`));
  const ips = Array.from({ length: 30 }, (_, index) => ip(`10.0.${index % 3}.${index}`));
  const tactics = ['TA0001', 'TA0002', 'TA0005', 'TA0011', null];
  return Array.from({ length: count }, (_, index) => {
    const entities = [pick(hosts), pick(users), pick(ips)].filter(() => next() < 0.6);
    return {
      id: `alert-${seed}-${index}`,
      tenant: pick(['tenant-a', 'tenant-b']),
      source: pick(['edr', 'ids', 'mail']),
      sourceRef: `r-${index}`,
      title: `Alert ${index}`,
      score: 1 + Math.floor(next() * 100),
      timestamp: T0 + Math.floor(next() * 48) * 15 * MINUTE, // many equal timestamps
      tactic: pick(tactics),
      technique: null,
      tacticName: null,
      techniqueName: null,
      entities,
      tlp: pick(['CLEAR', 'GREEN', 'AMBER', 'RED'] as const),
    };
  });
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const next = random(seed);
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(next() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

/** An index that returns every stored case: correct by construction, slow. */
class EveryCaseIndex implements CorrelationIndex {
  readonly cases = new Map<string, CaseState>();
  findCandidates(_query: CandidateQuery): CaseState[] {
    return [...this.cases.values()];
  }
  apply(result: CorrelationResult): void {
    for (const state of [...result.createdCases, ...result.updatedCases]) {
      this.cases.set(state.id, state);
    }
  }
}

describe('determinism (COR-9)', () => {
  const alerts = randomAlerts(600, 7);

  it('gives identical cases for the same batch in a different input order', () => {
    const first = engine({ alertsPerCase: 25, timeoutMinutes: 60 });
    const second = engine({ alertsPerCase: 25, timeoutMinutes: 60 });
    const resultA = first.run(alerts);
    const resultB = second.run(shuffled(alerts, 99));
    expect(resultB).toEqual(resultA);
    expect(second.index.listCases()).toEqual(first.index.listCases());
    expect(first.index.size).toBeGreaterThan(10);
  });

  it('gives the same cases whether time-ordered alerts come in one batch or many', () => {
    const sorted = [...alerts].sort(
      (a, b) =>
        a.timestamp - b.timestamp ||
        (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) ||
        (a.sourceRef < b.sourceRef ? -1 : a.sourceRef > b.sourceRef ? 1 : 0),
    );
    const whole = engine({ alertsPerCase: 25 });
    whole.run(sorted);
    const chunked = engine({ alertsPerCase: 25 });
    for (let start = 0; start < sorted.length; start += 37)
      chunked.run(sorted.slice(start, start + 37));
    expect(chunked.index.listCases()).toEqual(whole.index.listCases());
  });

  it('the in-memory index decides exactly like an index that returns every case', () => {
    const settings = { alertsPerCase: 10, timeoutMinutes: 45 };
    const fast = engine(settings);
    const reference = engineOver(new EveryCaseIndex(), settings);
    // Batches out of time order, with cases closed and reopened in between.
    const batches = [randomAlerts(300, 1), randomAlerts(300, 2), randomAlerts(300, 3)];
    batches.forEach((batch, batchIndex) => {
      const fastResult = fast.run(batch);
      const referenceResult = reference.run(batch);
      expect(fastResult).toEqual(referenceResult);
      const toClose = fastResult.createdCases.filter((_, index) => index % 4 === batchIndex);
      for (const state of toClose) {
        const closed = { ...state, status: 'Resolved' as const };
        fast.index.upsertCase(closed);
        reference.index.apply({
          alerts: [],
          createdCases: [closed],
          updatedCases: [],
          duplicateAlertIds: [],
        });
      }
    });
  });
});

describe('InMemoryCorrelationIndex', () => {
  it('finds cases only through their tenant, entity keys and widened window', () => {
    const index = new InMemoryCorrelationIndex();
    const { run } = engine({}, undefined, index);
    run([alert({ entities: [host('h1'), ip('10.0.0.1')] })]);
    const query = (overrides: Partial<CandidateQuery>): string[] =>
      index
        .findCandidates({
          tenant: 'tenant-a',
          entityKeys: ['host:h1'],
          timestamp: T0,
          timeoutMs: TIMEOUT,
          ...overrides,
        })
        .map((state) => state.id);
    expect(query({})).toEqual(['case-1']);
    expect(query({ entityKeys: ['ip:10.0.0.1', 'host:h1'] })).toEqual(['case-1']);
    expect(query({ tenant: 'tenant-b' })).toEqual([]);
    expect(query({ entityKeys: ['host:h2'] })).toEqual([]);
    expect(query({ timestamp: T0 + TIMEOUT })).toEqual(['case-1']);
    expect(query({ timestamp: T0 + TIMEOUT + 1 })).toEqual([]);
    expect(query({ timestamp: T0 - TIMEOUT })).toEqual(['case-1']);
    expect(query({ timestamp: T0 - TIMEOUT - 1 })).toEqual([]);
  });

  it('forgets entities and cases that are removed', () => {
    const index = new InMemoryCorrelationIndex();
    engine({}, undefined, index).run([alert({ entities: [host('h1'), ip('10.0.0.1')] })]);
    const stored = index.getCase('case-1') as CaseState;
    index.upsertCase({ ...stored, entities: [ip('10.0.0.1')] });
    const base = { tenant: 'tenant-a', timestamp: T0, timeoutMs: TIMEOUT };
    expect(index.findCandidates({ ...base, entityKeys: ['host:h1'] })).toEqual([]);
    expect(index.findCandidates({ ...base, entityKeys: ['ip:10.0.0.1'] })).toHaveLength(1);
    index.removeCase('case-1');
    expect(index.findCandidates({ ...base, entityKeys: ['ip:10.0.0.1'] })).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('handles a long time-ordered stream on a shared entity without losing cases', () => {
    const { run, index } = engine({ alertsPerCase: 100 });
    const stream = Array.from({ length: 20_000 }, (_, number) =>
      alert({
        sourceRef: `s-${number}`,
        timestamp: T0 + number * MINUTE,
        entities: [ip('192.0.2.1'), host(`h-${number % 500}`)],
      }),
    );
    for (let start = 0; start < stream.length; start += 1000)
      run(stream.slice(start, start + 1000));
    // One shared IP, one alert a minute: only the alerts-per-case limit splits cases.
    expect(index.size).toBe(200);
    expect(index.listCases().every((state) => state.alertCount === 100)).toBe(true);
  });
});
