/** Where a CLI command writes: lines to standard output and standard error. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Raw output without a line end (a CSV stream); by default through `out`. */
  readonly write?: (chunk: string) => void;
}

/** The process's own standard output and error. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  write: (chunk) => process.stdout.write(chunk),
};
