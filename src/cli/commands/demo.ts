import type { Command } from '../command.js';
import { runDemo } from '../demo.js';

/** `careid demo`: the narrated scenario of the README. */
export const demoCommand: Command = {
  name: 'demo',
  synopsis: '',
  summary:
    'A narrated scenario on the in-memory store and the virtual card: the rules engine, the RA, a smartcard end to end. Needs no database, reader or native module.',
  flags: {},
  run: (_flags, ctx) => runDemo(ctx.io),
};
