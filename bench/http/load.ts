/**
 * The load generator of the HTTP throughput bench (bench/http/run.ts forks it): a separate
 * OS process, as autocannon and wrk are, so its CPU is not the server's. It keeps
 * `inflight` POSTs in flight over as many kept-alive sockets (node:http's client, one
 * request per socket at a time: no pipelining, as browsers do), starting the next on a
 * socket as soon as its answer is read, for `seconds`; then it waits for the ones in flight
 * and reports how many round trips completed and over what span.
 *
 * Messages (IPC): in `{ kind: 'run', … }` (see {@link Run}) or `{ kind: 'exit' }`; out `{ kind: 'done', … }`
 * (see {@link Done}) or `{ kind: 'failed', message }`.
 */
import { Agent, request } from 'node:http';

/** One timed span of load. */
export interface Run {
  readonly kind: 'run';
  /** `http://127.0.0.1:port/path`. */
  readonly url: string;
  /** The body; every `@SERIAL@` in it is replaced by a fresh string per request. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly inflight: number;
  readonly seconds: number;
}

/** What a span measured: round trips completed between `start` and the last answer. */
export interface Done {
  readonly kind: 'done';
  readonly completed: number;
  /** Milliseconds from the first request sent to the last answer read. */
  readonly elapsedMs: number;
}

let serial = 0;
/** A string no other request of this process carried (base 36, a prefix per process). */
const fresh = () => `${process.pid.toString(36)}z${(serial++).toString(36)}`;

/** One agent per server and concurrency, kept across spans: its sockets stay connected. */
const agents = new Map<string, Agent>();

async function run(job: Run): Promise<Done> {
  const key = `${new URL(job.url).host} ${job.inflight}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: job.inflight });
    agents.set(key, agent);
  }
  const serialised = job.body.includes('@SERIAL@');
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const body = serialised ? job.body.replaceAll('@SERIAL@', fresh()) : job.body;
      const req = request(job.url, { method: 'POST', agent, headers: job.headers }, (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('end', () =>
            reject(new Error(`${res.statusCode}: ${Buffer.concat(chunks).toString()}`)),
          );
          return;
        }
        res.resume();
        res.once('end', resolve);
      });
      req.once('error', reject);
      req.end(body);
    });
  let completed = 0;
  const start = performance.now();
  const until = start + job.seconds * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      await post();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: job.inflight }, loop));
  const elapsedMs = performance.now() - start;
  return { kind: 'done', completed, elapsedMs };
}

process.on('message', (message: Run | { kind: 'exit' }) => {
  if (message.kind === 'exit') {
    for (const agent of agents.values()) agent.destroy();
    process.disconnect();
    return;
  }
  run(message).then(
    (done) => process.send!(done),
    (error: unknown) =>
      process.send!({ kind: 'failed', message: error instanceof Error ? error.message : error }),
  );
});
