import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseWith } from '../../errors/parse.js';
import { ValidationError } from '../../errors/validation-error.js';
import {
  type AuditCheckpoint,
  auditCheckpointSchema,
  type CheckpointSink,
} from '../audit-checkpoints.js';
import { StoreUnavailableError } from '../errors.js';
import { Mutex } from '../mutex.js';

const fileSchema = z.object({ checkpoints: z.array(auditCheckpointSchema) });

/**
 * A sink in a JSON file, rewritten atomically at each checkpoint (a temporary file beside
 * it, fsync, rename, fsync of the folder): a crash leaves the old list or the new one,
 * never half of one. It keeps the newest `keep` checkpoints (default 1000); the newest
 * alone already vouches for every record up to it. Give each app server its own file (two
 * processes rewriting one file may drop each other's latest checkpoint).
 *
 * @example
 * ```ts
 * const sink = fileCheckpointSink('/var/lib/careid/checkpoints-app1.json');
 * ```
 */
export function fileCheckpointSink(
  path: string,
  options: { readonly keep?: number } = {},
): CheckpointSink {
  const keep = Math.max(1, options.keep ?? 1000);
  const mutex = new Mutex();

  async function read(): Promise<readonly AuditCheckpoint[]> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return [];
      throw new StoreUnavailableError(`Cannot read the checkpoint file ${path}`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new ValidationError(
        'checkpoint file',
        [{ field: 'file', message: `${path} is not JSON` }],
        { cause },
      );
    }
    return parseWith(fileSchema, json, 'checkpoint file').checkpoints;
  }

  return {
    read,
    write: (checkpoint) =>
      mutex.run(async () => {
        const kept = [...(await read()), checkpoint].slice(-keep);
        const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        await mkdir(dirname(path), { recursive: true });
        try {
          const file = await open(temp, 'wx', 0o600);
          try {
            await file.writeFile(`${JSON.stringify({ checkpoints: kept })}\n`);
            await file.sync();
          } finally {
            await file.close();
          }
          await rename(temp, path);
        } catch (error) {
          await rm(temp, { force: true });
          throw error;
        }
        // The rename is durable once the folder is.
        const folder = await open(dirname(path), 'r');
        try {
          await folder.sync();
        } finally {
          await folder.close();
        }
      }),
  };
}
