import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { people } from '../ra/fixtures.js';
import { startRa } from './server.js';

type Served = Awaited<ReturnType<typeof startRa>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/**
 * A POST with this exact request target and these raw headers (a Host header is added,
 * named `HOST`), its status and body.
 */
function rawPost(url: string, target: string, headers: [string, string][], body: string) {
  const raw = [['HOST', new URL(url).host], ...headers].flat();
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${url}${target}`, { method: 'POST', headers: raw }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () =>
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.once('error', reject);
    req.end(body);
  });
}

describe('careid/http Node adapter: request targets and headers as Node hands them over', () => {
  it('ROLE-02 headers are read whatever their case; a target with a dot segment is served where new URL resolves it', async () => {
    served = await startRa();
    const json = JSON.stringify({ target: { organisationPath: ['FA123', 'QVV'] } });
    const answers = await Promise.all(
      ['/what-can', '/x/../what-can', '/what-can?ignored=1'].map((target) =>
        rawPost(
          served!.url,
          target,
          [
            ['AUTHORIZATION', `Bearer ${people.agent}`],
            ['CONTENT-TYPE', 'application/json'],
          ],
          json,
        ),
      ),
    );
    for (const answer of answers) expect(answer.status, answer.body).toBe(200);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    // The first Content-Type is the one read, as Node keeps it in req.headers.
    const twice = await rawPost(
      served.url,
      '/what-can',
      [
        ['authorization', `Bearer ${people.agent}`],
        ['Content-Type', 'text/plain'],
        ['content-type', 'application/json'],
      ],
      json,
    );
    expect(twice.status).toBe(415);
    expect(JSON.parse(twice.body)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('ROLE-02 the host`s authenticate gets a Request: method, URL and headers as sent, and the rest (clone, signal, cookies) from a real one', async () => {
    const seen: Record<string, unknown>[] = [];
    served = await startRa({
      authenticate: async (request) => {
        const copy = request.clone();
        seen.push({
          isRequest: request instanceof Request,
          method: request.method,
          url: request.url,
          authorization: request.headers.get('authorization'),
          cookie: request.headers.get('cookie'),
          cloneUrl: copy.url,
          cloneAuthorization: copy.headers.get('authorization'),
          signal: request.signal instanceof AbortSignal,
          text: await request.text(),
        });
        return /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? null;
      },
    });
    const json = JSON.stringify({ target: { organisationPath: ['FA123', 'QVV'] } });
    const answer = await rawPost(
      served.url,
      '/what-can?from=desk',
      [
        ['Authorization', `Bearer ${people.agent}`],
        ['Content-Type', 'application/json'],
        ['Cookie', 'session=abc'],
      ],
      json,
    );
    expect(answer.status, answer.body).toBe(200);
    expect(seen).toEqual([
      {
        isRequest: true,
        method: 'POST',
        url: `${served.url}/what-can?from=desk`,
        authorization: `Bearer ${people.agent}`,
        cookie: 'session=abc',
        cloneUrl: `${served.url}/what-can?from=desk`,
        cloneAuthorization: `Bearer ${people.agent}`,
        signal: true,
        // The body is the handler's to read; the request authenticate sees has none.
        text: '',
      },
    ]);
  });
});
