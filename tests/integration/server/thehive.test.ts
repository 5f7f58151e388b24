import { describe, expect, it } from 'vitest';
import { backends, useServer } from './helpers/harness';

/**
 * The TheHive-compatible `POST /api/v1/alert`, driven with the request bodies of TheHive's own
 * documentation: the "Create an alert" curl example of the TheHive 5 API documentation (alert
 * with `url` and `mail` observables), and thehive4py's minimal alert (its InputAlert's required
 * fields: type, source, sourceRef, title, description). Answers must have TheHive 5's
 * OutputAlert shape (thehive4py's `OutputAlertRequired`) and TheHive's status codes.
 */

/** TheHive 5 API documentation, Alert > Create, "with curl, using json" example body. */
const DOCS_EXAMPLE = {
  type: 'alertType',
  source: 'test',
  sourceRef: '1',
  title: 'alert title',
  description: 'alert description',
  observables: [
    { dataType: 'url', data: 'http://example.org' },
    { dataType: 'mail', data: 'foo@example.org' },
  ],
};

/** thehive4py's simple alert: the required fields only. */
const THEHIVE4PY_SIMPLE = {
  type: 'test',
  source: 'tutorial',
  sourceRef: 'thehive4py-simple-1',
  title: 'a simple alert',
  description: 'a simple description',
};

/** Fields thehive4py's OutputAlertRequired promises on every answer. */
const OUTPUT_REQUIRED = [
  '_id',
  '_type',
  '_createdBy',
  '_createdAt',
  'type',
  'source',
  'sourceRef',
  'title',
  'description',
  'severity',
  'date',
  'tlp',
  'pap',
  'follow',
  'observableCount',
  'status',
  'stage',
  'extraData',
  'newDate',
  'timeToDetect',
];

for (const backend of backends()) {
  describe(`TheHive-compatible alert API on ${backend.name}`, () => {
    const server = useServer(backend);

    it("creates the documentation's example alert with 201 and TheHive's OutputAlert", async () => {
      const s = server();
      const before = Date.now();
      const reply = await s.request('POST', '/api/v1/alert', { body: DOCS_EXAMPLE });
      expect(reply.status).toBe(201);
      for (const field of OUTPUT_REQUIRED) expect(reply.json, field).toHaveProperty(field);
      expect(reply.json).toMatchObject({
        _type: 'Alert',
        _createdBy: 'admin',
        type: 'alertType',
        source: 'test',
        sourceRef: '1',
        title: 'alert title',
        description: 'alert description',
        severity: 2,
        severityLabel: 'MEDIUM',
        tlp: 2,
        tlpLabel: 'AMBER',
        pap: 2,
        observableCount: 2,
        follow: true,
      });
      // no date in the request: TheHive dates the alert when it receives it
      expect(reply.json.date as number).toBeGreaterThanOrEqual(before);
      // the observables became entities and the alert was correlated into a case
      expect(reply.json).toMatchObject({ status: 'Imported', stage: 'Imported' });
      const stored = await s.request('GET', '/api/v1/alerts?source=test&sourceRef=1');
      expect((stored.json.alerts as { entities: unknown }[])[0]?.entities).toEqual([
        { kind: 'email', value: 'foo@example.org' },
        { kind: 'url', value: 'http://example.org' },
      ]);

      const resend = await s.request('POST', '/api/v1/alert', { body: DOCS_EXAMPLE });
      expect(resend.status).toBe(200);
      expect(resend.json._id).toBe(reply.json._id);
    });

    it("takes thehive4py's minimal alert and TheHive 5 severity, TLP and tags", async () => {
      const s = server();
      const simple = await s.request('POST', '/api/v1/alert', { body: THEHIVE4PY_SIMPLE });
      expect(simple.status).toBe(201);
      // no entities: it starts a case of its own (COR-1), as on the desktop
      expect(simple.json).toMatchObject({ observableCount: 0, status: 'Imported', tags: [] });
      expect(simple.json.extraData).toEqual({ caseNumber: expect.any(Number) });
      const rich = await s.request('POST', '/api/v1/alert', {
        body: {
          ...THEHIVE4PY_SIMPLE,
          sourceRef: 'thehive4py-rich-1',
          date: 1717399800000,
          severity: 4,
          tlp: 3,
          pap: 1,
          tags: ['phishing', 'user-report'],
          observables: [{ dataType: 'ip', data: '203.0.113.7' }],
        },
      });
      expect(rich.status).toBe(201);
      expect(rich.json).toMatchObject({
        date: 1717399800000,
        severity: 4,
        severityLabel: 'CRITICAL',
        tlp: 3,
        tlpLabel: 'AMBER+STRICT',
        pap: 1,
        papLabel: 'GREEN',
        tags: ['phishing', 'user-report'],
      });
    });

    it("refuses bad requests in TheHive's {type, message} shape and stores nothing", async () => {
      const s = server();
      const [before] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts');
      const unknownType = await s.request('POST', '/api/v1/alert', {
        body: {
          ...DOCS_EXAMPLE,
          sourceRef: 'bad-1',
          observables: [{ dataType: 'bitcoin-wallet', data: 'x' }],
        },
      });
      expect(unknownType.status).toBe(400);
      expect(unknownType.json).toEqual({
        type: 'BadRequest',
        message: expect.stringContaining(
          "observables[0].dataType: 'bitcoin-wallet' is not a known data type",
        ),
      });
      const missing = await s.request('POST', '/api/v1/alert', {
        body: { type: 'x', source: 'y', sourceRef: 'z' },
      });
      expect(missing.status).toBe(400);
      expect(missing.json.message).toContain('title');
      const badSeverity = await s.request('POST', '/api/v1/alert', {
        body: { ...THEHIVE4PY_SIMPLE, sourceRef: 'bad-2', severity: 9 },
      });
      expect(badSeverity.status).toBe(400);
      const malformed = await s.request('POST', '/api/v1/alert', { body: '{"type": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.json.type).toBe('BadRequest');
      const anonymous = await s.request('POST', '/api/v1/alert', {
        token: null,
        body: DOCS_EXAMPLE,
      });
      expect(anonymous.status).toBe(401);
      expect(anonymous.json.type).toBe('AuthenticationError');
      const array = await s.request('POST', '/api/v1/alert', { body: [DOCS_EXAMPLE] });
      expect(array.status).toBe(400);
      const [after] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts');
      expect(after?.n).toBe(before?.n);
    });

    it('puts the alert in the organisation X-Organisation names, inside the scope only', async () => {
      const s = server();
      const tenant = await s.request('POST', '/api/v1/tenants', { body: { name: 'hive-org' } });
      expect(tenant.status).toBe(201);
      const reply = await s.request('POST', '/api/v1/alert', {
        body: { ...THEHIVE4PY_SIMPLE, sourceRef: 'org-1' },
        headers: { 'x-organisation': 'hive-org' },
      });
      expect(reply.status).toBe(201);
      const listed = await s.request('GET', '/api/v1/alerts?tenant=hive-org');
      expect((listed.json.alerts as { sourceRef: string }[]).map((a) => a.sourceRef)).toEqual([
        'org-1',
      ]);
      const unknown = await s.request('POST', '/api/v1/alert', {
        body: { ...THEHIVE4PY_SIMPLE, sourceRef: 'org-2' },
        headers: { 'x-organisation': 'not-an-org' },
      });
      expect(unknown.status).toBe(403);
      expect(unknown.json.type).toBe('AuthorizationError');
    });
  });
}
