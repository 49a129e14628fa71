/** One row of a bench table. */
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}

/** One target: a named check of measured figures, PASS or FAIL. */
export interface BenchTarget {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

const fmt = (n: number) =>
  n >= 100
    ? Math.round(n).toLocaleString('en-GB')
    : n.toLocaleString('en-GB', { maximumFractionDigits: 2 });

/** Prints the figures and the targets as two aligned tables; returns the text too. */
export function printTables(
  title: string,
  rows: readonly BenchRow[],
  targets: readonly BenchTarget[],
): string {
  const lines: string[] = [
    `## ${title}`,
    '',
    '| measurement | value | unit | note |',
    '|---|---:|---|---|',
  ];
  for (const r of rows) lines.push(`| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.note ?? ''} |`);
  lines.push('', '| target | result | measured |', '|---|---|---|');
  for (const t of targets) lines.push(`| ${t.name} | ${t.pass ? 'PASS' : 'FAIL'} | ${t.detail} |`);
  const text = lines.join('\n');
  console.log(text);
  return text;
}

/** Runs `fn(i)` for about `seconds` (in batches) and returns calls per second. */
export function rate(seconds: number, batch: number, fn: (i: number) => void): number {
  // Warm up so the JIT has compiled the hot path before the clock starts.
  for (let i = 0; i < Math.min(batch, 20_000); i++) fn(i);
  let calls = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  let now = start;
  while (now < until) {
    for (let i = 0; i < batch; i++) fn(calls + i);
    calls += batch;
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
}
