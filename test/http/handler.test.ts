import { afterEach, describe, expect, it } from 'vitest';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { applicant, goodCheck, people } from '../ra/fixtures.js';
import { startRa } from './server.js';

type Served = Awaited<ReturnType<typeof startRa>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});
const start = async (options: Parameters<typeof startRa>[0] = {}) => {
  served = await startRa(options);
  return served;
};

const SECRET = 'hunter2-SECRET-7f3a';

describe('careid/http commands over real HTTP on 127.0.0.1', () => {
  it('ID-01 AUD-01 POST /commands/user.create runs the command through ra.execute: 200 with the result, stored and audited', async () => {
    const { call, ra, auditTrail } = await start();
    const res = await call('/commands/user.create', { actor: people.agent, json: applicant });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const result = (await res.json()) as { type: string; uuid: string; decision: unknown };
    expect(result).toMatchObject({ type: 'user.create', decision: { allowed: true } });
    const found = await ra.queries.findUsers(people.agent, { uuid: result.uuid });
    expect(found.items).toHaveLength(1);
    expect((await auditTrail()).at(-1)).toMatchObject({
      actor: people.agent,
      activity: 'user.create',
      target: result.uuid,
      outcome: 'allowed',
    });
  });

  it('the body may carry its type, which must be the one the path names', async () => {
    const { call, auditTrail } = await start();
    const same = await call('/commands/user.create', {
      actor: people.agent,
      json: { ...applicant, type: 'user.create' },
    });
    expect(same.status).toBe(200);
    const before = (await auditTrail()).length;
    const other = await call('/commands/user.create', {
      actor: people.agent,
      json: { ...applicant, type: 'user.close' },
    });
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ code: 'VALIDATION', field: 'type' });
    const trail = await auditTrail();
    expect(trail).toHaveLength(before + 1);
    expect(trail.at(-1)).toMatchObject({
      actor: people.agent,
      activity: 'user.create',
      outcome: 'failed',
      reasons: [{ rule: 'INPUT', code: 'VALIDATION' }],
    });
  });

  it('POL-01 AUD-01 a policy denial is 403 with the decision: its reasons with rule IDs and what would grant; nothing written, the denial audited', async () => {
    const { call, ra, auditTrail } = await start();
    const res = await call('/commands/user.create', { actor: people.trainee, json: applicant });
    expect(res.status).toBe(403);
    const body = (await res.json()) as {
      code: string;
      message: string;
      rules: string[];
      decision: {
        allowed: boolean;
        reasons: { rule: string; code: string; message: string }[];
        wouldGrant: { role: string }[];
      };
    };
    expect(body.code).toBe('POLICY_DENIED');
    expect(body.message).toMatch(/^user\.create refused: /);
    expect(body.decision.allowed).toBe(false);
    expect(body.decision.reasons[0]).toMatchObject({ code: 'NO_ROLE' });
    expect(body.rules).toEqual(body.decision.reasons.map((r) => r.rule));
    expect(body.decision.wouldGrant.map((g) => g.role)).toContain('RAA');
    const found = await ra.queries.findUsers(people.agent, { name: { family: 'Rivers' } });
    expect(found.items).toHaveLength(0);
    expect((await auditTrail()).at(-1)).toMatchObject({
      actor: people.trainee,
      activity: 'user.create',
      outcome: 'denied',
    });
  });

  it('ID-01 bad input is 400 naming the field; nothing written, the attempt audited', async () => {
    const { call, auditTrail } = await start();
    const incomplete = {
      ...applicant,
      identityCheck: { ...goodCheck, documents: [goodCheck.documents[0]] },
    };
    const res = await call('/commands/user.create', { actor: people.agent, json: incomplete });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      name: 'ValidationError',
      code: 'VALIDATION',
      field: 'identityCheck.documents',
      message: expect.stringContaining('identityCheck.documents'),
    });
    const last = (await auditTrail()).at(-1);
    expect(last).toMatchObject({ actor: people.agent, activity: 'user.create', outcome: 'failed' });
    expect(last?.reasons.at(-1)).toMatchObject({ code: 'VALIDATION' });
  });

  it('an unknown command is 400 VALIDATION, nothing written, the attempt audited with its actor', async () => {
    const { call, auditTrail } = await start();
    const res = await call('/commands/user.teleport', { actor: people.agent, json: {} });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION', field: 'type' });
    expect((await auditTrail()).at(-1)).toMatchObject({
      actor: people.agent,
      activity: 'user.teleport',
      outcome: 'failed',
    });
  });

  it('PROF-01 a record that does not exist is 404 NOT_FOUND', async () => {
    const { call } = await start();
    const res = await call('/commands/user.close', {
      actor: people.agent,
      json: { user: '999999999999', reason: 'left' },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('ID-06 a possible duplicate is 409 DUPLICATE with the matching profiles', async () => {
    const { call } = await start();
    const first = await call('/commands/user.create', { actor: people.agent, json: applicant });
    const { uuid } = (await first.json()) as { uuid: string };
    const again = await call('/commands/user.create', { actor: people.agent, json: applicant });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      code: 'DUPLICATE',
      matches: expect.arrayContaining([{ uuid, because: expect.any(String) }]),
    });
  });

  it("AUD-02 a store that cannot be reached is 503 STORE_UNAVAILABLE; the connection string's password stays out", async () => {
    const store = postgresStore(`postgres://careid:${SECRET}@127.0.0.1:1/test`);
    const heard: unknown[] = [];
    try {
      const { call } = await start({ store, onError: (error) => heard.push(error) });
      const res = await call('/commands/user.create', { actor: people.agent, json: applicant });
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(text).not.toContain(SECRET);
      expect(heard).toMatchObject([{ code: 'STORE_UNAVAILABLE' }]);
    } finally {
      await store.close();
    }
  });
});

describe('careid/http bad input: a JSON error with its code and status, nothing written', () => {
  it('a request without an actor is 401 UNAUTHENTICATED and reaches nothing (no actor to audit)', async () => {
    const { call, auditTrail, ra } = await start();
    const before = (await auditTrail()).length;
    for (const [path, init] of [
      ['/commands/user.create', { json: applicant }],
      ['/reports', {}],
      ['/nowhere', {}],
    ] as const) {
      const res = await call(path, init);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: expect.any(String),
      });
    }
    expect(await auditTrail()).toHaveLength(before);
    expect(
      (await ra.queries.findUsers(people.agent, { name: { family: 'Rivers' } })).items,
    ).toEqual([]);
  });

  it('AUD-02 malformed JSON is 400; neither the answer nor the audit record quotes the body', async () => {
    const { call, auditTrail } = await start();
    const res = await call('/commands/user.change-own-contact', {
      actor: people.agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"passcode": "${SECRET}", oops`,
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      code: 'VALIDATION',
      field: '',
      message: expect.stringContaining('not valid JSON'),
    });
    expect(text).not.toContain(SECRET);
    const last = (await auditTrail()).at(-1);
    expect(last).toMatchObject({
      actor: people.agent,
      activity: 'user.change-own-contact',
      outcome: 'failed',
      reasons: [{ rule: 'INPUT', code: 'VALIDATION' }],
    });
    expect(JSON.stringify(last)).not.toContain(SECRET);
  });

  it('a body that is JSON but not an object is 400, audited', async () => {
    const { call, auditTrail } = await start();
    const res = await call('/commands/user.create', { actor: people.agent, json: [applicant] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('JSON object'),
    });
    expect((await auditTrail()).at(-1)).toMatchObject({
      activity: 'user.create',
      outcome: 'failed',
    });
  });

  it('a wrong content type is 415 UNSUPPORTED_MEDIA_TYPE, audited', async () => {
    const { call, auditTrail } = await start();
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ]) {
      const res = await call('/commands/user.create', {
        actor: people.agent,
        method: 'POST',
        headers: { 'content-type': contentType },
        body: JSON.stringify(applicant),
      });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect((await auditTrail()).at(-1)).toMatchObject({
        actor: people.agent,
        activity: 'user.create',
        outcome: 'failed',
        reasons: [{ rule: 'INPUT', code: 'UNSUPPORTED_MEDIA_TYPE' }],
      });
    }
    const charsetOk = await call('/commands/user.create', {
      actor: people.agent,
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify(applicant),
    });
    expect(charsetOk.status).toBe(200);
  });

  it('a body over the configured limit is 413 BODY_TOO_LARGE, declared or streamed without a length; audited', async () => {
    const { call, auditTrail, ra } = await start({ maxBodyBytes: 2048 });
    const big = { ...applicant, identityCheck: { ...goodCheck, photo: 'x'.repeat(4000) } };
    const declared = await call('/commands/user.create', { actor: people.agent, json: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({
      code: 'BODY_TOO_LARGE',
      message: expect.stringContaining('2048'),
    });
    // A chunked body has no Content-Length: the limit holds as the bytes arrive.
    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const chunked = await call('/commands/user.create', {
      actor: people.agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 512) controller.enqueue(bytes.slice(i, i + 512));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const trail = await auditTrail();
    expect(trail.slice(-2).map((e) => e.reasons[0]?.code)).toEqual([
      'BODY_TOO_LARGE',
      'BODY_TOO_LARGE',
    ]);
    expect(
      (await ra.queries.findUsers(people.agent, { name: { family: 'Rivers' } })).items,
    ).toEqual([]);
    const small = await call('/commands/user.create', { actor: people.agent, json: applicant });
    expect(small.status).toBe(200);
  });

  it('an unknown path is 404 ROUTE_NOT_FOUND; a known path with the wrong method is 405 with Allow', async () => {
    const { call } = await start();
    const missing = await call('/nowhere', { actor: people.agent });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    const wrong = await call('/commands/user.create', { actor: people.agent });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await wrong.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED', allow: ['POST'] });
  });

  it('AUD-02 a failure that is not a careid error is a bare 500 INTERNAL; the host hears of it through onError', async () => {
    const heard: unknown[] = [];
    const { call } = await start({
      authenticate: () => {
        throw new Error(`session store down: redis://:${SECRET}@cache:6379`);
      },
      onError: (error) => heard.push(error),
    });
    const res = await call('/reports', { actor: people.ram });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'INTERNAL', message: expect.any(String) });
    expect(text).not.toContain(SECRET);
    expect(heard).toHaveLength(1);
    expect(String(heard[0])).toContain('session store down');
  });

  it('createHttpHandler refuses a limit that is not a positive whole number', async () => {
    await expect(start({ maxBodyBytes: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'maxBodyBytes',
    });
  });
});

describe('careid/http queries and reports', () => {
  it("ROLE-02 POST /queries/user.find answers a page within the actor's scope", async () => {
    const { call } = await start();
    const res = await call('/queries/user.find', {
      actor: people.agent,
      json: { name: { family: 'Spon' } },
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { uuid: string }[] };
    expect(page.items.map((u) => u.uuid)).toEqual([people.sponsor]);
  });

  it('an unknown query is 400, audited with its actor', async () => {
    const { call, auditTrail } = await start();
    const res = await call('/queries/user.stalk', { actor: people.agent, json: {} });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION' });
    expect((await auditTrail()).at(-1)).toMatchObject({
      actor: people.agent,
      activity: 'user.stalk',
      outcome: 'failed',
    });
  });

  it('REQ-03 POST /queries/request.list lists the requests the actor may act on', async () => {
    const { call } = await start();
    const res = await call('/queries/request.list', { actor: people.agent, json: {} });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ items: [] });
  });

  it('REP-01 GET /reports lists the reports; a page is viewed with POST /reports/{id}/view', async () => {
    const { call } = await start();
    const list = await call('/reports', { actor: people.ram });
    expect(list.status).toBe(200);
    const reports = (await list.json()) as { id: string }[];
    expect(reports.map((r) => r.id)).toContain('profiles');
    const view = await call('/reports/profiles/view', {
      actor: people.ram,
      json: { page: { limit: 2 } },
    });
    expect(view.status).toBe(200);
    const page = (await view.json()) as {
      report: string;
      columns: string[];
      rows: unknown[];
      nextCursor?: string;
    };
    expect(page.report).toBe('profiles');
    expect(page.rows).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
    const frequent = await call('/reports/frequently-used', { actor: people.ram });
    expect(frequent.status).toBe(200);
  });

  it('REP-01 AUD-01 POST /reports/{id}/export streams CSV with a header row; the export is audited', async () => {
    const { call, auditTrail } = await start();
    const res = await call('/reports/profiles/export', {
      actor: people.ram,
      json: { pageSize: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="profiles.csv"');
    const lines = (await res.text()).split('\r\n').filter((l) => l !== '');
    const all = await call('/reports/profiles/view', { actor: people.ram, json: {} });
    const { columns, rows } = (await all.json()) as { columns: string[]; rows: unknown[] };
    expect(rows.length).toBeGreaterThan(1);
    expect(lines.length).toBe(1 + rows.length);
    expect(lines[0]).toBe(columns.join(','));
    expect((await auditTrail()).at(-1)).toMatchObject({
      actor: people.ram,
      activity: 'report.export',
      outcome: 'allowed',
    });
  });

  it('REP-02 a sponsor asking for a profile report is 403 with the rule; a wrong filter is 400 naming it', async () => {
    const { call } = await start();
    const denied = await call('/reports/profiles/export', { actor: people.sponsor, json: {} });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      code: 'POLICY_DENIED',
      rules: expect.arrayContaining(['REP-02']),
    });
    const bad = await call('/reports/profiles/view', {
      actor: people.ram,
      json: { filters: { colour: 'blue' } },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'VALIDATION',
      field: expect.stringContaining('filters'),
    });
    const unknown = await call('/reports/gossip/view', { actor: people.ram, json: {} });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'VALIDATION', field: 'report' });
  });
});
