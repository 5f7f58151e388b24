import type { CaseReportData } from '../../shared/domain/case-report';

const T0 = Date.UTC(2026, 2, 4, 5, 6, 7);
const minutes = (n: number) => T0 + n * 60_000;

export const HOSTILE_CASE_NAME = '<script>alert("pwned")</script> Phishing wave — Фишинг Ελλάδα';
export const SHA512_VALUE = 'ab'.repeat(64);

/** A case report with everything a report shows, and values that try to break out of it. */
export function caseReportFixture(options: { alertCount?: number } = {}): CaseReportData {
  const alertCount = options.alertCount ?? 3;
  return {
    generatedAt: minutes(600),
    generatedBy: 'Ana Analyst',
    case: {
      id: '01900000-0000-7000-8000-000000000001',
      number: 7228,
      tenantName: 'Acme Corp',
      name: HOSTILE_CASE_NAME,
      description:
        '## Scope\n\nUsers got a **credential phishing** mail.\n\n<img src=x onerror=alert(1)>\n\n[advisory](https://example.com/advisory) and [bad](javascript:alert(1))',
      status: 'Resolved',
      severity: 'High',
      score: 68,
      outcome: 'True Positive',
      summary: 'Blocked the sender; **3** users reset.',
      creator: 'System',
      assigneeName: 'Ana Analyst',
      tags: ['phishing', 'o365'],
      tlp: 'AMBER',
      pap: 'GREEN',
      what: 'T1566 Phishing',
      who: 'jdoe, WS-042',
      createdAt: minutes(0),
      updatedAt: minutes(500),
      closedAt: minutes(500),
      firstAlertAt: minutes(0),
      lastAlertAt: minutes(alertCount),
    },
    alerts: Array.from({ length: alertCount }, (_, index) => ({
      id: `01900000-0000-7000-8000-0000000010${String(index).padStart(2, '0')}`,
      source: 'o365',
      sourceRef: `msg-${index}-${'x'.repeat(40)}`,
      type: 'phishing',
      title:
        index === 0 ? 'Suspicious inbox rule <b>created</b>' : `Phishing mail delivered #${index}`,
      timestamp: minutes(index),
      score: 60 + (index % 30),
      status: 'Closed',
      tactic: 'TA0001',
      technique: 'T1566.002',
      tags: [],
      entities: [{ kind: 'email', value: `user${index}@example.com` }],
    })),
    tasks: [
      {
        id: 'task-2',
        group: 'Containment',
        title: 'Block sender',
        description: 'At the **gateway**.',
        status: 'Completed',
        assigneeName: 'Ben Blue',
        dueAt: minutes(120),
        order: 2,
        logs: [
          {
            id: 'log-1',
            createdAt: minutes(90),
            authorName: 'Ben Blue',
            body: 'Blocked `evil.example` at the gateway.',
            attachment: { name: 'gateway-export.csv', sha256: 'c'.repeat(64) },
          },
        ],
      },
      {
        id: 'task-1',
        group: 'Identification',
        title: 'Collect the original message',
        description: '',
        status: 'Completed',
        assigneeName: null,
        dueAt: null,
        order: 1,
        logs: [],
      },
    ],
    observables: [
      {
        id: 'obs-1',
        dataType: 'domain',
        value: 'evil-login.example',
        hashKind: null,
        tlp: 'AMBER',
        pap: 'AMBER',
        isIoc: true,
        sighted: true,
        ignoreSimilarity: false,
        tags: ['c2'],
        description: 'landing page',
        createdAt: minutes(30),
      },
      {
        id: 'obs-2',
        dataType: 'hash',
        value: SHA512_VALUE,
        hashKind: 'sha512',
        tlp: 'GREEN',
        pap: 'AMBER',
        isIoc: false,
        sighted: false,
        ignoreSimilarity: false,
        tags: [],
        description: '',
        createdAt: minutes(31),
      },
    ],
    evidence: [
      {
        id: 'ev-1',
        kind: 'file',
        name: 'original.eml',
        sha256: 'd'.repeat(64),
        size: 48_213,
        mimeType: 'message/rfc822',
        url: null,
        description: '',
        addedByName: 'Ana Analyst',
        createdAt: minutes(20),
      },
      {
        id: 'ev-2',
        kind: 'link',
        name: 'Phishing kit page',
        sha256: null,
        size: null,
        mimeType: null,
        url: 'https://evil-login.example/kit',
        description: '',
        addedByName: 'Ana Analyst',
        createdAt: minutes(21),
      },
    ],
    timeline: [
      {
        at: minutes(500),
        kind: 'activity',
        summary: 'Status In Progress → Resolved',
        actorName: 'Ana Analyst',
      },
      { at: minutes(0), kind: 'alert', summary: 'Alert: Phishing mail delivered', actorName: null },
      {
        at: minutes(45),
        kind: 'comment',
        summary: 'Comment by Ana Analyst',
        actorName: 'Ana Analyst',
      },
    ],
    comments: [
      {
        id: 'comment-1',
        createdAt: minutes(45),
        authorName: 'Ana Analyst',
        body: 'Sender spoofed our CEO. <script>steal()</script> See [ticket](https://tickets.example/42).',
        editedAt: minutes(50),
      },
    ],
  };
}
