import { SeededRandom } from './random';
import { severityForScore } from './severity';
import { groupsFromEntities } from './entities';
import type { WatchfloorAlertInput } from './alert-format';
import type { CaseOutcome, CaseStatus, EntityKind, EntityRef, Tlp } from './types';

/**
 * Deterministic generator of realistic SOC data for demos and benchmarks: the same
 * (seed, alert count, end time) gives the same tenants, alerts, entities and cases everywhere.
 *
 * Alerts come from several source kinds (SIEM, EDR, IDS, email gateway) with MITRE ATT&CK
 * tactics and techniques; an incident groups 1-12 alerts that share a host or user within a few
 * hours, and each incident becomes one case (as correlation would group them).
 */

export interface DemoOptions {
  alerts: number;
  seed: number;
  /** Latest event time, epoch ms; alerts spread over the 90 days before it. */
  endAt: number;
}

export interface DemoAlert {
  source: string;
  sourceRef: string;
  type: string;
  title: string;
  description: string;
  timestamp: number;
  score: number;
  tactic: string;
  tacticName: string;
  technique: string;
  techniqueName: string;
  tenant: string;
  entities: EntityRef[];
  tags: string[];
  tlp: Tlp;
}

export interface DemoCase {
  tenant: string;
  name: string;
  description: string;
  score: number;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  summary: string | null;
  assigneeLogin: string | null;
  tags: string[];
  tlp: Tlp;
  what: string;
  who: string;
  alerts: DemoAlert[];
  entities: EntityRef[];
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  firstAlertAt: number;
  lastAlertAt: number;
}

export interface DemoAnalyst {
  login: string;
  displayName: string;
  email: string;
}

export const DEMO_TENANTS = ['Acme Corp', 'Globex Bank', 'Initech Health'] as const;

export const DEMO_ANALYSTS: readonly DemoAnalyst[] = [
  { login: 'amara.okafor', displayName: 'Amara Okafor', email: 'amara.okafor@soc.example' },
  { login: 'lucas.meyer', displayName: 'Lucas Meyer', email: 'lucas.meyer@soc.example' },
  { login: 'priya.raman', displayName: 'Priya Raman', email: 'priya.raman@soc.example' },
  { login: 'diego.alvarez', displayName: 'Diego Álvarez', email: 'diego.alvarez@soc.example' },
  { login: 'mei.tanaka', displayName: 'Mei Tanaka', email: 'mei.tanaka@soc.example' },
  {
    login: 'sofia.lindqvist',
    displayName: 'Sofia Lindqvist',
    email: 'sofia.lindqvist@soc.example',
  },
];

interface DetectionTemplate {
  source: string;
  type: 'SIEM' | 'EDR' | 'IDS' | 'Email';
  title: string;
  tactic: string;
  tacticName: string;
  technique: string;
  techniqueName: string;
  baseScore: number;
  kinds: readonly EntityKind[];
  tags: readonly string[];
}

const SPLUNK = 'Splunk ES';
const ELASTIC = 'Elastic Security';
const FALCON = 'CrowdStrike Falcon';
const DEFENDER = 'Microsoft Defender for Endpoint';
const SURICATA = 'Suricata';
const PROOFPOINT = 'Proofpoint TAP';

const T = (
  source: string,
  type: DetectionTemplate['type'],
  title: string,
  tactic: string,
  tacticName: string,
  technique: string,
  techniqueName: string,
  baseScore: number,
  kinds: readonly EntityKind[],
  tags: readonly string[],
): DetectionTemplate => ({
  source,
  type,
  title,
  tactic,
  tacticName,
  technique,
  techniqueName,
  baseScore,
  kinds,
  tags,
});

const TEMPLATES: readonly DetectionTemplate[] = [
  T(
    PROOFPOINT,
    'Email',
    'Phishing email with credential harvesting link delivered',
    'TA0001',
    'Initial Access',
    'T1566.002',
    'Spearphishing Link',
    45,
    ['email', 'user', 'url', 'domain'],
    ['phishing'],
  ),
  T(
    PROOFPOINT,
    'Email',
    'Malicious attachment delivered (macro-enabled document)',
    'TA0001',
    'Initial Access',
    'T1566.001',
    'Spearphishing Attachment',
    60,
    ['email', 'user', 'hash', 'domain'],
    ['phishing', 'malware'],
  ),
  T(
    PROOFPOINT,
    'Email',
    'User clicked URL later rewritten as malicious',
    'TA0001',
    'Initial Access',
    'T1566.002',
    'Spearphishing Link',
    55,
    ['email', 'user', 'url', 'ip'],
    ['phishing'],
  ),
  T(
    FALCON,
    'EDR',
    'Encoded PowerShell command line executed',
    'TA0002',
    'Execution',
    'T1059.001',
    'PowerShell',
    65,
    ['host', 'user', 'hash'],
    ['powershell'],
  ),
  T(
    DEFENDER,
    'EDR',
    'Suspicious Office child process (winword.exe spawned cmd.exe)',
    'TA0002',
    'Execution',
    'T1204.002',
    'Malicious File',
    62,
    ['host', 'user', 'hash'],
    ['malware'],
  ),
  T(
    FALCON,
    'EDR',
    'Credential dumping from LSASS memory',
    'TA0006',
    'Credential Access',
    'T1003.001',
    'LSASS Memory',
    88,
    ['host', 'user', 'hash'],
    ['credential-theft'],
  ),
  T(
    DEFENDER,
    'EDR',
    'Mimikatz-like tool detected',
    'TA0006',
    'Credential Access',
    'T1003',
    'OS Credential Dumping',
    92,
    ['host', 'user', 'hash'],
    ['credential-theft'],
  ),
  T(
    FALCON,
    'EDR',
    'Scheduled task created for persistence',
    'TA0003',
    'Persistence',
    'T1053.005',
    'Scheduled Task',
    48,
    ['host', 'user'],
    ['persistence'],
  ),
  T(
    DEFENDER,
    'EDR',
    'Run key modified by unsigned binary',
    'TA0003',
    'Persistence',
    'T1547.001',
    'Registry Run Keys / Startup Folder',
    50,
    ['host', 'user', 'hash'],
    ['persistence'],
  ),
  T(
    FALCON,
    'EDR',
    'Volume shadow copies deleted (vssadmin)',
    'TA0040',
    'Impact',
    'T1490',
    'Inhibit System Recovery',
    95,
    ['host', 'user'],
    ['ransomware'],
  ),
  T(
    DEFENDER,
    'EDR',
    'Mass file encryption behaviour',
    'TA0040',
    'Impact',
    'T1486',
    'Data Encrypted for Impact',
    98,
    ['host', 'user', 'hash'],
    ['ransomware'],
  ),
  T(
    FALCON,
    'EDR',
    'Process injection into explorer.exe',
    'TA0005',
    'Defense Evasion',
    'T1055',
    'Process Injection',
    72,
    ['host', 'hash'],
    ['evasion'],
  ),
  T(
    DEFENDER,
    'EDR',
    'Security tool tampering attempt',
    'TA0005',
    'Defense Evasion',
    'T1562.001',
    'Disable or Modify Tools',
    78,
    ['host', 'user'],
    ['evasion'],
  ),
  T(
    SPLUNK,
    'SIEM',
    'Multiple failed logons followed by success',
    'TA0006',
    'Credential Access',
    'T1110.001',
    'Password Guessing',
    52,
    ['user', 'ip', 'host'],
    ['brute-force'],
  ),
  T(
    SPLUNK,
    'SIEM',
    'Password spraying against Azure AD',
    'TA0006',
    'Credential Access',
    'T1110.003',
    'Password Spraying',
    58,
    ['user', 'ip'],
    ['brute-force', 'cloud'],
  ),
  T(
    ELASTIC,
    'SIEM',
    'Impossible travel sign-in',
    'TA0001',
    'Initial Access',
    'T1078',
    'Valid Accounts',
    55,
    ['user', 'ip'],
    ['identity'],
  ),
  T(
    ELASTIC,
    'SIEM',
    'New inbox forwarding rule to external domain',
    'TA0009',
    'Collection',
    'T1114.003',
    'Email Forwarding Rule',
    60,
    ['user', 'email', 'domain'],
    ['bec'],
  ),
  T(
    SPLUNK,
    'SIEM',
    'Application Usage Anomaly',
    'TA0007',
    'Discovery',
    'T1087',
    'Account Discovery',
    30,
    ['user', 'host'],
    ['anomaly'],
  ),
  T(
    ELASTIC,
    'SIEM',
    'Remote service logon via PsExec',
    'TA0008',
    'Lateral Movement',
    'T1569.002',
    'Service Execution',
    70,
    ['host', 'user', 'ip'],
    ['lateral-movement'],
  ),
  T(
    SPLUNK,
    'SIEM',
    'RDP logon from unusual source host',
    'TA0008',
    'Lateral Movement',
    'T1021.001',
    'Remote Desktop Protocol',
    56,
    ['host', 'user', 'ip'],
    ['lateral-movement'],
  ),
  T(
    ELASTIC,
    'SIEM',
    'Privileged group membership changed',
    'TA0004',
    'Privilege Escalation',
    'T1098',
    'Account Manipulation',
    64,
    ['user', 'host'],
    ['identity'],
  ),
  T(
    SPLUNK,
    'SIEM',
    'Large outbound data transfer to cloud storage',
    'TA0010',
    'Exfiltration',
    'T1567.002',
    'Exfiltration to Cloud Storage',
    74,
    ['host', 'user', 'domain', 'ip'],
    ['exfiltration'],
  ),
  T(
    ELASTIC,
    'SIEM',
    'AD enumeration with BloodHound-like queries',
    'TA0007',
    'Discovery',
    'T1069.002',
    'Domain Groups',
    46,
    ['host', 'user'],
    ['discovery'],
  ),
  T(
    SURICATA,
    'IDS',
    'ET MALWARE Cobalt Strike Beacon Observed',
    'TA0011',
    'Command and Control',
    'T1071.001',
    'Web Protocols',
    90,
    ['ip', 'host', 'domain'],
    ['c2'],
  ),
  T(
    SURICATA,
    'IDS',
    'ET POLICY DNS query to dynamic DNS domain',
    'TA0011',
    'Command and Control',
    'T1568',
    'Dynamic Resolution',
    35,
    ['ip', 'host', 'domain'],
    ['dns'],
  ),
  T(
    SURICATA,
    'IDS',
    'ET SCAN Nmap scripting engine user-agent',
    'TA0043',
    'Reconnaissance',
    'T1595.002',
    'Vulnerability Scanning',
    28,
    ['ip'],
    ['scan'],
  ),
  T(
    SURICATA,
    'IDS',
    'ET EXPLOIT Apache Log4j RCE attempt (CVE-2021-44228)',
    'TA0001',
    'Initial Access',
    'T1190',
    'Exploit Public-Facing Application',
    84,
    ['ip', 'host'],
    ['exploit'],
  ),
  T(
    SURICATA,
    'IDS',
    'ET INFO DNS over HTTPS to public resolver',
    'TA0011',
    'Command and Control',
    'T1572',
    'Protocol Tunneling',
    18,
    ['ip', 'host'],
    ['dns'],
  ),
  T(
    SURICATA,
    'IDS',
    'ET TROJAN Possible DNS tunneling (long TXT queries)',
    'TA0010',
    'Exfiltration',
    'T1048.003',
    'Exfiltration Over Unencrypted Non-C2 Protocol',
    66,
    ['ip', 'host', 'domain'],
    ['dns', 'exfiltration'],
  ),
];

/** Low-severity detections are far more common than critical ones, as in a real SOC queue. */
const TEMPLATE_WEIGHTS = TEMPLATES.map((t) => (110 - t.baseScore) ** 2);
const TEMPLATE_WEIGHT_TOTAL = TEMPLATE_WEIGHTS.reduce((a, b) => a + b, 0);

function pickTemplate(rng: SeededRandom): DetectionTemplate {
  let r = rng.next() * TEMPLATE_WEIGHT_TOTAL;
  for (let i = 0; i < TEMPLATES.length; i++) {
    r -= TEMPLATE_WEIGHTS[i]!;
    if (r < 0) return TEMPLATES[i]!;
  }
  return TEMPLATES[TEMPLATES.length - 1]!;
}

const FIRST_NAMES = [
  'john',
  'maria',
  'ahmed',
  'li',
  'olga',
  'pierre',
  'fatima',
  'kenji',
  'sara',
  'tom',
  'ines',
  'raj',
  'anna',
  'ben',
  'chloe',
  'dmitri',
];
const LAST_NAMES = [
  'smith',
  'garcia',
  'hassan',
  'wei',
  'ivanova',
  'dubois',
  'khan',
  'sato',
  'rossi',
  'brown',
  'costa',
  'patel',
  'novak',
  'jones',
  'martin',
  'petrov',
];
const HOST_ROLES = [
  'WS-FIN',
  'WS-HR',
  'WS-ENG',
  'WS-OPS',
  'LT-SALES',
  'LT-EXEC',
  'SRV-APP',
  'SRV-DB',
  'SRV-FILE',
  'DC',
];
const BAD_DOMAINS = [
  'login-microsoftonline.support',
  'secure-docusign.review',
  'cdn-update.services',
  'paypa1-billing.com',
  'office365-auth.info',
  'dropbox-share.link',
  'dyn-ns.duckdns.org',
  'pastebin-raw.xyz',
  'track-parcel.delivery',
  'okta-verify.cloud',
];
const TENANT_DOMAINS: Record<string, string> = {
  'Acme Corp': 'acme.example',
  'Globex Bank': 'globexbank.example',
  'Initech Health': 'initech-health.example',
};

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface TenantPools {
  hosts: string[];
  users: string[];
  internalIps: string[];
}

function tenantPools(rng: SeededRandom, tenant: string): TenantPools {
  const domain = TENANT_DOMAINS[tenant] ?? 'corp.example';
  const hosts: string[] = [];
  for (let i = 0; i < 400; i++) {
    hosts.push(
      `${rng.pick(HOST_ROLES)}-${String(rng.int(1, 9999)).padStart(4, '0')}.${domain}`.toLowerCase(),
    );
  }
  const users: string[] = [];
  for (let i = 0; i < 300; i++) users.push(`${rng.pick(FIRST_NAMES)}.${rng.pick(LAST_NAMES)}`);
  const internalIps: string[] = [];
  const net = rng.int(0, 250);
  for (let i = 0; i < 400; i++) internalIps.push(`10.${net}.${rng.int(0, 255)}.${rng.int(1, 254)}`);
  return { hosts, users, internalIps };
}

function externalIp(rng: SeededRandom): string {
  // Documentation and carrier ranges only, so demo data never names a real victim's address.
  const prefix = rng.pick(['203.0.113', '198.51.100', '192.0.2', '100.64.12', '100.65.40']);
  return `${prefix}.${rng.int(1, 254)}`;
}

function caseScoreOf(alerts: readonly DemoAlert[], entityCount: number): number {
  const max = alerts.reduce((m, a) => Math.max(m, a.score), 0);
  const tactics = new Set(alerts.map((a) => a.tactic)).size;
  return Math.min(
    100,
    max +
      Math.min(6, Math.floor((alerts.length - 1) / 2)) +
      (tactics - 1) +
      Math.min(3, Math.floor(entityCount / 6)),
  );
}

const SUMMARIES: Record<CaseOutcome, string[]> = {
  'True Positive': [
    'Confirmed malicious activity; host isolated and credentials reset.',
    'Phishing confirmed; messages purged and sender blocked.',
  ],
  'False Positive': [
    'Activity traced to an approved admin script.',
    'Vulnerability scanner run by the red team, as scheduled.',
  ],
  Indeterminate: ['Not enough telemetry to conclude; monitoring extended.'],
  Other: ['Duplicate of an existing investigation.'],
};

/**
 * Yields cases (each holding its alerts) in chronological order of their first alert until
 * `options.alerts` alerts have been produced.
 */
export function* generateDemoCases(options: DemoOptions): Generator<DemoCase> {
  const rng = new SeededRandom(options.seed);
  const pools = new Map<string, TenantPools>();
  for (const tenant of DEMO_TENANTS) pools.set(tenant, tenantPools(rng, tenant));
  const span = 90 * DAY;
  const start = options.endAt - span;
  // An incident's alerts last at most 12 × 40 minutes and its case is created up to 2 minutes
  // after the first alert, so incidents start early enough to end before endAt.
  const lastStart = options.endAt - 12 * 40 * 60_000 - 2 * 60_000;
  const usable = lastStart - start;
  let remaining = options.alerts;
  const meanAlertsPerCase = 3.2;
  // Incidents are spread evenly over the span by how many alerts came before them, with jitter;
  // max() keeps first-alert times ascending.
  const spacing = usable / Math.max(1, options.alerts / meanAlertsPerCase);
  let clock = start;
  let seq = 0;
  while (remaining > 0) {
    const produced = options.alerts - remaining;
    const planned = start + Math.floor((usable * produced) / options.alerts + rng.next() * spacing);
    clock = Math.min(lastStart, Math.max(clock + 1000, planned));
    const tenant = rng.pick(DEMO_TENANTS);
    const pool = pools.get(tenant)!;
    const user = rng.pick(pool.users);
    const host = rng.pick(pool.hosts);
    const hostIp = rng.pick(pool.internalIps);
    const remoteIp = externalIp(rng);
    const badDomain = rng.pick(BAD_DOMAINS);
    const fileHash = rng.hex(32);
    const tenantDomain = TENANT_DOMAINS[tenant] ?? 'corp.example';
    const size = Math.min(
      remaining,
      1 + Math.floor(-Math.log(1 - rng.next()) * (meanAlertsPerCase - 1)),
    );
    const capped = Math.min(size, 12);
    const alerts: DemoAlert[] = [];
    let t = clock;
    for (let i = 0; i < capped; i++) {
      const tpl = pickTemplate(rng);
      const entities: EntityRef[] = [];
      for (const kind of tpl.kinds) {
        switch (kind) {
          case 'host':
            entities.push({ kind, value: host });
            break;
          case 'user':
            entities.push({ kind, value: user });
            break;
          case 'ip':
            entities.push({ kind, value: i % 2 === 0 ? remoteIp : hostIp });
            break;
          case 'domain':
            entities.push({ kind, value: badDomain });
            break;
          case 'hash':
            entities.push({ kind, value: fileHash });
            break;
          case 'email':
            entities.push({ kind, value: `${user}@${tenantDomain}` });
            break;
          case 'url':
            entities.push({ kind, value: `https://${badDomain}/${rng.hex(4)}/login` });
            break;
        }
      }
      const score = Math.min(100, Math.max(1, tpl.baseScore + rng.int(-8, 8)));
      seq++;
      alerts.push({
        source: tpl.source,
        sourceRef: `${tpl.source.split(' ')[0]!.toLowerCase()}-${options.seed}-${seq}`,
        type: tpl.type,
        title: tpl.title,
        description: `${tpl.title} on ${host} (user ${user}). ATT&CK ${tpl.technique} ${tpl.techniqueName}.`,
        timestamp: t,
        score,
        tactic: tpl.tactic,
        tacticName: tpl.tacticName,
        technique: tpl.technique,
        techniqueName: tpl.techniqueName,
        tenant,
        entities,
        tags: [...tpl.tags],
        tlp: score >= 80 ? 'RED' : score >= 50 ? 'AMBER' : 'GREEN',
      });
      t += rng.int(10_000, 40 * 60_000);
    }
    remaining -= alerts.length;
    const entityKeys = new Map<string, EntityRef>();
    for (const a of alerts) for (const e of a.entities) entityKeys.set(`${e.kind}:${e.value}`, e);
    const entities = [...entityKeys.values()].sort((x, y) =>
      x.kind === y.kind ? (x.value < y.value ? -1 : 1) : x.kind < y.kind ? -1 : 1,
    );
    // COR-6 name: highest-severity alert's title, "and N others".
    let top = alerts[0]!;
    for (const a of alerts) if (a.score > top.score) top = a;
    const others = alerts.length - 1;
    const name =
      others === 0 ? top.title : `${top.title} and ${others} other${others === 1 ? '' : 's'}`;
    const score = caseScoreOf(alerts, entities.length);
    const firstAlertAt = alerts[0]!.timestamp;
    const lastAlertAt = alerts[alerts.length - 1]!.timestamp;
    const age = options.endAt - lastAlertAt;
    // Older cases are more likely closed, as in a working SOC.
    const closedChance = age > 14 * DAY ? 0.85 : age > 2 * DAY ? 0.45 : 0.1;
    let status: CaseStatus;
    let outcome: CaseOutcome | null = null;
    let summary: string | null = null;
    let closedAt: number | null = null;
    if (rng.chance(closedChance)) {
      status = rng.chance(0.85) ? 'Resolved' : 'Cancelled';
      outcome = rng.pick([
        'True Positive',
        'False Positive',
        'False Positive',
        'Indeterminate',
        'Other',
      ] as const);
      summary = rng.pick(SUMMARIES[outcome]);
      closedAt = Math.min(options.endAt, lastAlertAt + rng.int(HOUR, 3 * DAY));
    } else {
      status = rng.pick(['New', 'New', 'In Progress', 'In Progress', 'Escalated'] as const);
    }
    const assigned = status !== 'New' || rng.chance(0.2);
    const assigneeLogin = assigned ? rng.pick(DEMO_ANALYSTS).login : null;
    const tags = [...new Set(alerts.flatMap((a) => a.tags))].sort();
    const users = [
      ...new Set(
        alerts.flatMap((a) => a.entities.filter((e) => e.kind === 'user').map((e) => e.value)),
      ),
    ];
    const hosts = [
      ...new Set(
        alerts.flatMap((a) => a.entities.filter((e) => e.kind === 'host').map((e) => e.value)),
      ),
    ];
    const createdAt = firstAlertAt + rng.int(5_000, 120_000);
    yield {
      tenant,
      name,
      description: `Automatic case for ${alerts.length} alert${alerts.length === 1 ? '' : 's'} involving ${[...users, ...hosts].join(', ') || 'external sources'}.`,
      score,
      status,
      outcome,
      summary,
      assigneeLogin,
      tags,
      tlp: score >= 80 ? 'RED' : 'AMBER',
      what: top.technique,
      who: [...users, ...hosts].slice(0, 5).join(', '),
      alerts,
      entities,
      createdAt,
      updatedAt: Math.max(
        createdAt,
        closedAt ?? Math.min(options.endAt, lastAlertAt + rng.int(0, 6 * HOUR)),
      ),
      closedAt,
      firstAlertAt,
      lastAlertAt,
    };
  }
}

/** A demo alert as a Watchfloor v1 record (shared/domain/alert-format.ts), as a file holds it. */
export function demoAlertRecord(a: DemoAlert): WatchfloorAlertInput {
  return {
    source: a.source,
    sourceRef: a.sourceRef,
    type: a.type,
    title: a.title,
    description: a.description,
    timestamp: new Date(a.timestamp).toISOString(),
    severity: a.score,
    tactic: a.tactic,
    tacticName: a.tacticName,
    technique: a.technique,
    techniqueName: a.techniqueName,
    tenant: a.tenant,
    entities: groupsFromEntities(a.entities),
    tags: a.tags,
    tlp: a.tlp,
  };
}

export function severityOfDemoCase(c: DemoCase) {
  return severityForScore(c.score);
}
