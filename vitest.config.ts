import { defineConfig } from 'vitest/config';

/**
 * The PC/SC stack (pcscd with vpcd in a network namespace, scripts/pcsc) is one per machine:
 * the files that start it run on their own, one after another, after everything else.
 */
const PCSC_STACK = [
  'test/card/pcsc.test.ts',
  'test/cli/pcsc-commands.test.ts',
  'test/ra/smartcards/pcsc.test.ts',
];

const shared = { testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    // Two workers on the 2-vCPU machines careid is tested on (vitest's default leaves one
    // core idle: the suite then takes twice as long).
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...shared,
          name: 'careid',
          include: ['test/**/*.test.ts'],
          exclude: PCSC_STACK,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'pcsc-stack',
          include: PCSC_STACK,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
