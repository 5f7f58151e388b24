import { describe, expect, it } from 'vitest';
import {
  caseName,
  caseScore,
  caseWhat,
  caseWho,
  compareLeadAlerts,
  pickLeadAlert,
  summarizeCase,
  type CaseAlertFacts,
  type LeadAlertFacts,
} from '../../shared/domain/scoring';

function lead(overrides: Partial<LeadAlertFacts>): LeadAlertFacts {
  return {
    title: 'Alert',
    score: 50,
    timestamp: 1_000,
    source: 'edr',
    sourceRef: 'r1',
    tactic: null,
    technique: null,
    tacticName: null,
    techniqueName: null,
    ...overrides,
  };
}

describe('caseScore (COR-7)', () => {
  it('is the highest alert score for a single alert', () => {
    expect(
      caseScore({ maxAlertScore: 42, alertCount: 1, distinctTactics: 1, distinctEntities: 1 }),
    ).toBe(42);
  });

  it('is 0 for a case without alerts', () => {
    expect(
      caseScore({ maxAlertScore: 0, alertCount: 0, distinctTactics: 0, distinctEntities: 0 }),
    ).toBe(0);
  });

  it('rises by 1 per extra alert, up to 10', () => {
    const base = { maxAlertScore: 40, distinctTactics: 0, distinctEntities: 0 };
    expect(caseScore({ ...base, alertCount: 4 })).toBe(43);
    expect(caseScore({ ...base, alertCount: 11 })).toBe(50);
    expect(caseScore({ ...base, alertCount: 5000 })).toBe(50);
  });

  it('rises by 5 per extra tactic, up to 15', () => {
    const base = { maxAlertScore: 40, alertCount: 1, distinctEntities: 0 };
    expect(caseScore({ ...base, distinctTactics: 2 })).toBe(45);
    expect(caseScore({ ...base, distinctTactics: 4 })).toBe(55);
    expect(caseScore({ ...base, distinctTactics: 14 })).toBe(55);
  });

  it('rises by 1 per two extra entities, up to 10', () => {
    const base = { maxAlertScore: 40, alertCount: 1, distinctTactics: 1 };
    expect(caseScore({ ...base, distinctEntities: 3 })).toBe(41);
    expect(caseScore({ ...base, distinctEntities: 4 })).toBe(41);
    expect(caseScore({ ...base, distinctEntities: 100 })).toBe(50);
  });

  it('is never below the highest alert score and never above 100', () => {
    expect(
      caseScore({ maxAlertScore: 95, alertCount: 50, distinctTactics: 10, distinctEntities: 90 }),
    ).toBe(100);
    for (const alertCount of [1, 2, 7, 5000]) {
      expect(
        caseScore({ maxAlertScore: 63, alertCount, distinctTactics: 1, distinctEntities: 1 }),
      ).toBeGreaterThanOrEqual(63);
    }
  });

  it('always returns an integer', () => {
    expect(
      Number.isInteger(
        caseScore({ maxAlertScore: 33.6, alertCount: 3, distinctTactics: 2, distinctEntities: 6 }),
      ),
    ).toBe(true);
  });
});

describe('lead alert and case name (COR-6)', () => {
  it('leads with the highest score, then earliest time, then source, then sourceRef', () => {
    const high = lead({ score: 80, title: 'High' });
    const earlyMedium = lead({ score: 40, timestamp: 1 });
    expect(pickLeadAlert([earlyMedium, high])).toBe(high);
    const early = lead({ timestamp: 1, title: 'Early' });
    const late = lead({ timestamp: 2, title: 'Late' });
    expect(pickLeadAlert([late, early])).toBe(early);
    const sourceA = lead({ source: 'a', sourceRef: 'z' });
    const sourceB = lead({ source: 'b', sourceRef: 'a' });
    expect(pickLeadAlert([sourceB, sourceA])).toBe(sourceA);
    const ref1 = lead({ sourceRef: 'r1' });
    const ref2 = lead({ sourceRef: 'r2' });
    expect(compareLeadAlerts(ref2, ref1)).toBeGreaterThan(0);
    expect(pickLeadAlert([])).toBeNull();
  });

  it('names the case after its lead with "and N others"', () => {
    expect(caseName('Brute force', 1)).toBe('Brute force');
    expect(caseName('Brute force', 2)).toBe('Brute force and 1 other');
    expect(caseName('Brute force', 4)).toBe('Brute force and 3 others');
  });
});

describe('What and Who', () => {
  it('What is the technique of the lead, else its tactic, else null', () => {
    expect(
      caseWhat(lead({ technique: 'T1059.001', techniqueName: 'PowerShell', tactic: 'TA0002' })),
    ).toBe('T1059.001 PowerShell');
    expect(caseWhat(lead({ technique: 'T1110' }))).toBe('T1110');
    expect(caseWhat(lead({ tactic: 'TA0002', tacticName: 'Execution' }))).toBe('TA0002 Execution');
    expect(caseWhat(lead({}))).toBeNull();
    expect(caseWhat(null)).toBeNull();
  });

  it('Who lists users then hosts, sorted, at most 5 then +N', () => {
    expect(caseWho([{ kind: 'ip', value: '10.0.0.1' }])).toBeNull();
    expect(
      caseWho([
        { kind: 'host', value: 'ws-2' },
        { kind: 'user', value: 'bob' },
        { kind: 'host', value: 'ws-1' },
        { kind: 'user', value: 'alice' },
        { kind: 'ip', value: '10.0.0.1' },
      ]),
    ).toBe('alice, bob, ws-1, ws-2');
    const many = Array.from({ length: 8 }, (_, index) => ({
      kind: 'host' as const,
      value: `h${index}`,
    }));
    expect(caseWho(many)).toBe('h0, h1, h2, h3, h4 +3');
  });
});

describe('summarizeCase', () => {
  it('derives score, severity, name, What and Who from all alerts', () => {
    const alerts: CaseAlertFacts[] = [
      {
        ...lead({ title: 'Login burst', score: 30, tactic: 'TA0006', sourceRef: 'a' }),
        entities: [{ kind: 'user', value: 'bob' }],
      },
      {
        ...lead({
          title: 'Malware',
          score: 70,
          tactic: 'TA0002',
          technique: 'T1204',
          sourceRef: 'b',
        }),
        entities: [
          { kind: 'user', value: 'bob' },
          { kind: 'host', value: 'ws-1' },
          { kind: 'ip', value: '10.0.0.9' },
        ],
      },
    ];
    const summary = summarizeCase(alerts);
    // 70 + 1 (one extra alert) + 5 (one extra tactic) + 1 (two extra entities)
    expect(summary.score).toBe(77);
    expect(summary.severity).toBe('Critical');
    expect(summary.name).toBe('Malware and 1 other');
    expect(summary.what).toBe('T1204');
    expect(summary.who).toBe('bob, ws-1');
  });
});
