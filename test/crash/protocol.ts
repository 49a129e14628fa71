import type { Job } from './world.js';

/** From the test process to a worker: its job, and the card's answer to each APDU. */
export type ToWorker =
  | { readonly type: 'job'; readonly job: Job }
  | { readonly type: 'answer'; readonly id: number; readonly hex: string }
  | { readonly type: 'removed'; readonly id: number };

/** From a worker: ready for a job, an APDU for the card, the job's outcome. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'apdu'; readonly id: number; readonly hex: string }
  | { readonly type: 'done'; readonly ok: true; readonly apdus: number }
  | { readonly type: 'done'; readonly ok: false; readonly code: string; readonly message: string };
