import { afterEach, describe, expect, it } from 'vitest';
import { applicant, ICB, PHARMACY, people } from '../ra/fixtures.js';
import { startRa } from './server.js';

type Served = Awaited<ReturnType<typeof startRa>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});
const start = async () => {
  served = await startRa();
  return served;
};
const pharmacyPath = { organisationPath: [PHARMACY, ICB] };
type Capability = { activity: string; route: string; decision: { allowed: boolean } };

describe('careid/http what the actor may do, for buttons', () => {
  it('ROLE-02 POST /what-can answers ra.whatCan for the authenticated actor on the target, read from the store', async () => {
    const { call, ra, auditTrail } = await start();
    const before = (await auditTrail()).length;
    const res = await call('/what-can', { actor: people.agent, json: { target: pharmacyPath } });
    expect(res.status).toBe(200);
    const can = (await res.json()) as Capability[];
    expect(can.map((c) => c.activity)).toContain('user.create');
    expect(can).toEqual(JSON.parse(JSON.stringify(await ra.whatCan(people.agent, pharmacyPath))));
    const trainee = (await (
      await call('/what-can', { actor: people.trainee, json: { target: pharmacyPath } })
    ).json()) as Capability[];
    expect(trainee.map((c) => c.activity)).not.toContain('user.create');
    const limited = (await (
      await call('/what-can', {
        actor: people.agent,
        json: { target: pharmacyPath, activities: ['user.create', 'position.create'] },
      })
    ).json()) as Capability[];
    expect(limited.map((c) => c.activity)).toEqual(['user.create']);
    expect(await auditTrail()).toHaveLength(before);
  });

  it('ROLE-02 GET /actor answers ra.actor for the authenticated actor, as careid/policy takes it; unaudited; no actor is 401', async () => {
    const { call, ra, auditTrail } = await start();
    const before = (await auditTrail()).length;
    const res = await call('/actor', { actor: people.agent });
    expect(res.status).toBe(200);
    const actor = await res.json();
    expect(actor).toEqual(JSON.parse(JSON.stringify(await ra.actor(people.agent))));
    expect(actor).toMatchObject({ uuid: people.agent, assignments: [{ roles: ['RAA'] }] });
    expect(await auditTrail()).toHaveLength(before);
    expect((await call('/actor')).status).toBe(401);
    expect((await call('/actor', { actor: '555000000099' })).status).toBe(404);
  });

  it("ROLE-02 POST /what-can asked again, over the Node adapter and in-process: the same bytes as JSON.stringify of ra.whatCan, whatever the body's spacing; a bad body is still refused after a good one", async () => {
    const { call, ra, handler, url } = await start();
    const expected = JSON.stringify(await ra.whatCan(people.agent, pharmacyPath));
    const facts = { organisationPath: [PHARMACY, ICB] };
    for (let i = 0; i < 3; i++) {
      const res = await call('/what-can', { actor: people.agent, json: { target: facts } });
      expect(await res.text()).toBe(expected);
    }
    // The same question with other spacing is the same question, answered the same.
    const spaced = await fetch(`${url}/what-can`, {
      method: 'POST',
      headers: { authorization: `Bearer ${people.agent}`, 'content-type': 'application/json' },
      body: `{ "target" : { "organisationPath" : [ "${PHARMACY}", "${ICB}" ] } }`,
    });
    expect(await spaced.text()).toBe(expected);
    const inProcess = await handler(
      new Request(`${url}/what-can`, {
        method: 'POST',
        headers: { authorization: `Bearer ${people.agent}`, 'content-type': 'application/json' },
        body: JSON.stringify({ target: pharmacyPath }),
      }),
    );
    expect(await inProcess.text()).toBe(expected);
    // Another actor asking the same is answered for them, not from the first one's answer.
    const trainee = await call('/what-can', { actor: people.trainee, json: { target: facts } });
    expect(await trainee.text()).toBe(
      JSON.stringify(await ra.whatCan(people.trainee, pharmacyPath)),
    );
    const bad = await call('/what-can', {
      actor: people.agent,
      json: { target: { organisationPath: [PHARMACY, 7] } },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'target.organisationPath.1' });
  });

  it('POST /what-can: a malformed target is 400 naming the field (audited); an actor with no profile is 404', async () => {
    const { call, auditTrail } = await start();
    const bad = await call('/what-can', {
      actor: people.agent,
      json: { target: { organisationPath: 'FA123' } },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'VALIDATION',
      field: 'target.organisationPath',
    });
    expect((await auditTrail()).at(-1)).toMatchObject({
      actor: people.agent,
      activity: 'what-can',
      outcome: 'failed',
    });
    const nobody = await call('/what-can', { actor: '555000000099', json: {} });
    expect(nobody.status).toBe(404);
    expect(await nobody.json()).toMatchObject({ code: 'NOT_FOUND', key: '555000000099' });
  });

  it('POL-01 POST /check/{type} answers the decision execute would reach, allowed or denied, writing nothing', async () => {
    const { call, ra, auditTrail } = await start();
    const before = (await auditTrail()).length;
    const allowed = await call('/check/user.create', { actor: people.agent, json: applicant });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({
      allowed: true,
      activity: 'user.create',
      reasons: [{ rule: 'ROLE-02', role: 'RAA' }],
    });
    const denied = await call('/check/user.create', { actor: people.trainee, json: applicant });
    expect(denied.status).toBe(200);
    const decision = (await denied.json()) as {
      allowed: boolean;
      reasons: { code: string }[];
      wouldGrant: { role: string }[];
    };
    expect(decision.allowed).toBe(false);
    expect(decision.reasons[0]?.code).toBe('NO_ROLE');
    expect(decision.wouldGrant.map((g) => g.role)).toContain('RAA');
    expect(await auditTrail()).toHaveLength(before);
    expect(
      (await ra.queries.findUsers(people.agent, { name: { family: 'Rivers' } })).items,
    ).toEqual([]);
  });

  it('POST /check/{type}: a malformed command is 400 naming the field; an unknown one is 400', async () => {
    const { call } = await start();
    const bad = await call('/check/user.create', {
      actor: people.agent,
      json: { ...applicant, dateOfBirth: '1995-13-45' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'VALIDATION', field: 'dateOfBirth' });
    const unknown = await call('/check/user.teleport', { actor: people.agent, json: {} });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'VALIDATION', field: 'type' });
  });
});
