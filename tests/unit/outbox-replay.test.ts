import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { ingestAlerts } from '../../main/features/correlation/ingest';
import {
  importAlertAsCase,
  mergeAlertsIntoCase,
  newCaseFromAlerts,
} from '../../main/features/alerts/triage';
import { runBulkUpdateNow } from '../../main/features/cases/bulk-update';
import { removeQueue, saveQueue, setQueuePinned } from '../../main/features/queues/queues';
import {
  setCorrelationSetting,
  getCorrelationSettings,
} from '../../main/features/correlation/correlation-settings';
import {
  addCaseFilter,
  caseFilterPredicate,
  listCaseFilters,
  removeCaseFilter,
  recordCaseFilterHits,
} from '../../main/features/correlation/case-filters';
import { writeSetting } from '../../main/features/settings/settings';
import { applyOutboxFile } from '../../main/cli/commands/outbox';
import { expectReplayEqual } from '../helpers/outbox-replay';
import { SeededRandom } from '../../shared/domain/random';
import type { NormalizedAlert } from '../../shared/domain/alert-format';
import type { CaseStatus, EntityRef } from '../../shared/domain/types';
import { ServiceError } from '../../main/service-error';

/**
 * Rule 5's promise, checked: random sequences of every service operation on store A; A's outbox
 * exported and applied to an empty store B; every synced table of B equals A's (rev included),
 * activity too, and B's derived tables, rebuilt, equal A's as A kept them.
 */

let dir: string;
const closeLater: { close(): void }[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-replay-'));
});
afterEach(() => {
  for (const s of closeLater.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const HOSTS = ['ws-01', 'ws-02', 'ws-03', 'srv-db', 'srv-web'];
const USERS = ['j.doe', 'a.smith', 'root'];
const TENANTS = ['Acme', 'Globex'];
const T0 = Date.UTC(2026, 5, 1);

function randomAlert(r: SeededRandom, n: number): NormalizedAlert {
  const entities: EntityRef[] = [{ kind: 'host', value: r.pick(HOSTS) }];
  if (r.int(0, 1)) entities.push({ kind: 'user', value: r.pick(USERS) });
  return {
    source: r.pick(['edr', 'siem']),
    sourceRef: `ref-${n}`,
    type: 'detection',
    title: `Detection ${n} ${r.pick(['powershell', 'beacon', 'phish'])}`,
    description: `alert number ${n}`,
    timestamp: T0 + r.int(0, 48) * 15 * 60_000,
    score: r.int(1, 100),
    tactic: r.pick(['TA0002', 'TA0008', null]),
    technique: r.pick(['T1059', null]),
    tacticName: null,
    techniqueName: null,
    tenant: r.pick(TENANTS),
    entities,
    tags: r.int(0, 1) ? ['auto'] : [],
    tlp: r.pick(['GREEN', 'AMBER', 'RED'] as const),
    raw: { n, nested: { list: [n, 'x'] } },
  };
}

function ids(ws: Workspace, sql: string): string[] {
  return ws.store.db.prepare(sql).pluck().all() as string[];
}

/** One random service operation; refusals (ServiceError) are part of the game. */
function step(ws: Workspace, r: SeededRandom, n: number): void {
  const actor = ws.user.login;
  const kind = r.int(0, 11);
  try {
    switch (kind) {
      case 0:
      case 1: {
        const batch = Array.from({ length: r.int(1, 6) }, (_, i) => randomAlert(r, n * 10 + i));
        const filters = caseFilterPredicate(ws.store);
        ingestAlerts(ws.store, batch, {
          actor: 'System',
          settings: getCorrelationSettings(ws.store),
          isSuppressed: filters?.matches,
          onWrite: filters ? (w) => recordCaseFilterHits(w, filters.hits) : undefined,
        });
        break;
      }
      case 2: {
        const free = ids(ws, "SELECT id FROM alerts WHERE status = 'New' ORDER BY id");
        if (free.length) importAlertAsCase(ws.store, actor, r.pick(free));
        break;
      }
      case 3: {
        const free = ids(ws, "SELECT id FROM alerts WHERE status = 'New' ORDER BY id");
        const tenant = ws.store.db.prepare('SELECT tenant_id FROM alerts WHERE id = ?').pluck();
        if (free.length) {
          const first = r.pick(free);
          const same = free.filter((id) => tenant.get(id) === tenant.get(first)).slice(0, 3);
          newCaseFromAlerts(ws.store, actor, same);
        }
        break;
      }
      case 4: {
        const alerts = ids(ws, 'SELECT id FROM alerts ORDER BY id');
        const cases = ws.store.db
          .prepare('SELECT number FROM cases ORDER BY number')
          .pluck()
          .all() as number[];
        if (alerts.length && cases.length)
          mergeAlertsIntoCase(ws.store, actor, [r.pick(alerts)], r.pick(cases), true);
        break;
      }
      case 5: {
        const cases = ids(ws, 'SELECT id FROM cases ORDER BY id');
        if (!cases.length) break;
        const status = r.pick([
          'New',
          'In Progress',
          'Escalated',
          'Resolved',
          'Cancelled',
        ] as CaseStatus[]);
        const closing = status === 'Resolved' || status === 'Cancelled';
        runBulkUpdateNow(
          ws.store,
          actor,
          { ids: [r.pick(cases), r.pick(cases)] },
          {
            status,
            ...(closing ? { outcome: 'True Positive' as const, summary: `closed ${n}` } : {}),
            addTags: r.int(0, 1) ? [r.pick(['triaged', 'vip', 'fp'])] : undefined,
          },
        );
        break;
      }
      case 6: {
        const cases = ids(ws, 'SELECT id FROM cases ORDER BY id');
        const users = ids(ws, 'SELECT id FROM users ORDER BY id');
        if (cases.length)
          runBulkUpdateNow(
            ws.store,
            actor,
            { ids: [r.pick(cases)] },
            { assignee: r.int(0, 2) ? r.pick(users) : null },
          );
        break;
      }
      case 7: {
        const existing = ids(ws, 'SELECT id FROM queues WHERE is_default = 0 ORDER BY id');
        saveQueue(ws.store, ws.user, {
          ...(existing.length && r.int(0, 1) ? { id: r.pick(existing) } : {}),
          name: `Queue ${n}`,
          condition: {
            type: 'group',
            op: 'AND',
            children: [{ type: 'condition', field: 'score', operator: '>=', value: r.int(0, 90) }],
          },
          range: { kind: 'relative', days: 30 },
        });
        break;
      }
      case 8: {
        const existing = ids(ws, 'SELECT id FROM queues ORDER BY id');
        if (!existing.length) break;
        const id = r.pick(existing);
        if (r.int(0, 2) === 0) removeQueue(ws.store, ws.user, id);
        else setQueuePinned(ws.store, ws.user, id, r.int(0, 1) === 1);
        break;
      }
      case 9:
        if (r.int(0, 1))
          setCorrelationSetting(
            ws.store,
            actor,
            ws.user.tenantId,
            'correlation.timeoutMinutes',
            r.int(30, 600),
          );
        else
          writeSetting(
            ws.store,
            actor,
            ws.user.id,
            'ui.preferences',
            { theme: r.pick(['dark', 'light']) },
            ws.user.tenantId,
          );
        break;
      case 10: {
        const filters = listCaseFilters(ws.store);
        if (filters.length && r.int(0, 1))
          removeCaseFilter(ws.store, actor, ws.user.tenantId, r.pick(filters).id);
        else
          addCaseFilter(ws.store, actor, ws.user.tenantId, `Filter ${n}`, {
            type: 'group',
            op: 'AND',
            children: [{ type: 'condition', field: 'title', operator: 'contains', value: 'phish' }],
          });
        break;
      }
      default: {
        const cases = ids(ws, 'SELECT id FROM cases ORDER BY id');
        if (cases.length)
          runBulkUpdateNow(
            ws.store,
            actor,
            { ids: [r.pick(cases)] },
            { addTags: [`t${r.int(0, 3)}`] },
          );
      }
    }
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
  }
}

const opsSeen = new Set<string>();

describe('the outbox replays the store (rule 5)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: B (A's outbox applied to an empty store) equals A`, async () => {
      const a = openWorkspace(path.join(dir, 'a.db'), {
        create: true,
        migrationsFolder: sourceMigrationsFolder(),
      });
      closeLater.push(a);
      const r = new SeededRandom(seed);
      for (let n = 0; n < 80; n++) step(a, r, n);
      for (const op of a.store.db
        .prepare("SELECT DISTINCT entity_type || ':' || op FROM outbox")
        .pluck()
        .all() as string[])
        opsSeen.add(op);
      const { file, mutations, target } = await expectReplayEqual(a.store, dir);
      // applying the same file again changes nothing
      const again = await applyOutboxFile(target, file);
      expect(again).toMatchObject({ applied: 0, duplicates: mutations, rejected: [] });
    });
  }

  it('the random scripts exercised every kind of mutation', () => {
    expect([...opsSeen].sort()).toEqual(
      expect.arrayContaining([
        'alert:insert',
        'alert:patch',
        'case:insert',
        'case:patch',
        'case:link',
        'case:addToSet',
        'case_filter:insert',
        'case_filter:delete',
        'queue:insert',
        'queue:patch',
        'queue:delete',
        'setting:insert',
        'setting:patch',
        'tenant:insert',
        'user:insert',
        'user:link',
        'user:unlink',
      ]),
    );
  });
});
