import { rmSync } from 'node:fs';
import { seed, seedUser } from '../../src/ra/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { AT, applicant, NOW, people, seedData } from '../../test/ra/fixtures.js';
import { runJob } from '../../test/storage/processes/ra-worker.js';
const N = 3000;
const file = '/tmp/store-bench/prof.sqlite';
for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
const store = sqliteStore(file);
const ctx = { at: AT, by: people.ram };
const letters = (n: number) => Array.from({ length: 5 }, (_, i) => String.fromCharCode(97 + (Math.floor(n / 26 ** i) % 26))).join('').replace(/^./, (c) => c.toUpperCase());
const targets = Array.from({ length: N }, (_, n) => seedUser({ uuid: `7770000${String(n).padStart(5, '0')}`, given: 'Target', family: letters(50_000 + n) }, ctx));
await seed(store, { ...seedData, users: [...(seedData.users ?? []), ...targets] }, ctx);
const kind = process.argv[2] ?? 'user.create';
const cmds = Array.from({ length: N }, (_, n) => kind === 'assignment.assign'
  ? { type: kind, user: `7770000${String(n).padStart(5, '0')}`, position: 'pos-dispenser', start: '2026-11-22' }
  : { type: kind, ...applicant, name: { given: 'Alex', family: letters(n) }, niNumber: `AB${String(300000 + n)}C` });
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const session = new Session(); session.connect();
await session.post('Profiler.enable'); await session.post('Profiler.start');
const t0 = performance.now();
const out = await runJob({ adapter: 'sqlite', location: file, actor: people.agent, commands: cmds, callers: 1, now: NOW.toISOString() }, store);
console.log(kind, (N / ((performance.now() - t0) / 1000)).toFixed(0), 'cmd/s', out.filter((o) => !o.ok).length, 'failed');
const { profile } = await session.post('Profiler.stop');
writeFileSync('/tmp/store-bench/prof/cmd.cpuprofile', JSON.stringify(profile));
await store.close();
