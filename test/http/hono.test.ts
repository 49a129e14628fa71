import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpHandler, toNodeListener } from '../../src/http/index.js';
import { createRegistrationAuthority, seed } from '../../src/ra/index.js';
import { memoryStore } from '../../src/storage/index.js';
import { AT, applicant, NOW, people, seedData } from '../ra/fixtures.js';
import { bearerActor, listen } from './server.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('careid/http mounted in Hono under /ra', () => {
  it("serves the RA beside the host's own routes, as Hono hands it requests (over real HTTP on 127.0.0.1)", async () => {
    const store = memoryStore();
    await seed(store, seedData, { at: AT, by: 'test-seed' });
    const ra = createRegistrationAuthority({ store, clock: () => NOW });
    const handler = createHttpHandler({ ra, store, authenticate: bearerActor, basePath: '/ra' });
    const app = new Hono();
    app.get('/health', (c) => c.text('ok'));
    app.all('/ra/*', (c) => handler(c.req.raw));
    const served = await listen(toNodeListener((request) => app.fetch(request)));
    close = served.close;

    expect(await (await fetch(`${served.url}/health`)).text()).toBe('ok');
    const doc = await fetch(`${served.url}/ra/openapi.json`);
    expect(((await doc.json()) as { servers: unknown }).servers).toEqual([{ url: '/ra' }]);
    const created = await fetch(`${served.url}/ra/commands/user.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${people.agent}`, 'content-type': 'application/json' },
      body: JSON.stringify(applicant),
    });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({
      type: 'user.create',
      decision: { allowed: true },
    });
    const anonymous = await fetch(`${served.url}/ra/reports`);
    expect(anonymous.status).toBe(401);
    // Hono's own in-process request (no socket): the handler needs nothing of Node.
    const inProcess = await app.request('/ra/what-can', {
      method: 'POST',
      headers: { authorization: `Bearer ${people.agent}`, 'content-type': 'application/json' },
      body: JSON.stringify({ target: { organisationPath: ['FA123', 'QVV'] } }),
    });
    expect(inProcess.status).toBe(200);
    expect(((await inProcess.json()) as { activity: string }[]).map((c) => c.activity)).toContain(
      'user.create',
    );
  });
});
