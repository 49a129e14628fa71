import type { Operation } from './world.js';

/** The rules each killed operation covers, for the test names. */
export const RULES: Record<Operation, string> = {
  issue: 'CARD-01 CARD-12',
  renew: 'CARD-05',
  repair: 'CARD-08',
  clear: 'CARD-09',
  replace: 'CARD-10',
  unlock: 'CARD-03',
};
