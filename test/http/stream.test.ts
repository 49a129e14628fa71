import { afterEach, describe, expect, it } from 'vitest';
import { createHttpHandler, toNodeListener } from '../../src/http/index.js';
import { createRegistrationAuthority, seed, seedAssignment, seedUser } from '../../src/ra/index.js';
import { memoryStore, type Store } from '../../src/storage/index.js';
import { AT, NOW, people, positions, seedData } from '../ra/fixtures.js';
import { bearerActor, listen } from './server.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const STAFF = 20_000;
const PAGE = 10;

describe('careid/http streams CSV exports with back-pressure', () => {
  it('REP-01 an export is read from the store only as fast as its answer is read, and stops when the client goes away; over real HTTP it arrives whole', async () => {
    const inner = memoryStore();
    const ctx = { at: AT, by: people.ram };
    const staff = Array.from({ length: STAFF }, (_, i) => String(600_000_000_000 + i));
    await seed(
      inner,
      {
        ...seedData,
        users: [
          ...(seedData.users ?? []),
          ...staff.map((uuid, i) => seedUser({ uuid, given: 'Staff', family: `Member${i}` }, ctx)),
        ],
        assignments: [
          ...(seedData.assignments ?? []),
          ...staff.map((uuid, i) =>
            seedAssignment(
              { id: `asg-${i}`, user: uuid, position: positions.dispenser, start: '2026-01-01' },
              ctx,
            ),
          ),
        ],
      },
      { at: AT, by: 'test-seed' },
    );
    // The same memory store, counting its transactions: an export reads each page in its own.
    let transactions = 0;
    const store: Store = {
      ...inner,
      transaction: (fn) => {
        transactions++;
        return inner.transaction(fn);
      },
    };
    const ra = createRegistrationAuthority({ store, clock: () => NOW });
    const handler = createHttpHandler({ ra, store, authenticate: bearerActor });
    const served = await listen(toNodeListener(handler));
    close = served.close;
    const exportProfiles = () =>
      fetch(`${served.url}/reports/profiles/export`, {
        method: 'POST',
        headers: { authorization: `Bearer ${people.ram}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pageSize: PAGE }),
      });

    transactions = 0;
    const whole = await exportProfiles();
    const lines = (await whole.text()).split('\r\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(STAFF);
    const full = transactions;
    expect(full).toBeGreaterThan(STAFF / PAGE);

    // The handler reads the store only as its answer is read: a few chunks ahead at most
    // (over a socket, the kernel's buffers on 127.0.0.1 hold megabytes more, which is why
    // this is measured on the handler's own stream).
    transactions = 0;
    const partial = await handler(
      new Request('http://ra.test/reports/profiles/export', {
        method: 'POST',
        headers: { authorization: `Bearer ${people.ram}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pageSize: PAGE }),
      }),
    );
    const reader = partial.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^[a-z]/i);
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const read = transactions;
    expect(read).toBeLessThan(full / 4);
    // A client that goes away stops the export: no page is read after the cancel.
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(transactions).toBe(read);
  });
});
