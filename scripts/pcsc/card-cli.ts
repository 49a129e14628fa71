// Runs `careid card …` from the sources, for the PC/SC tests and by hand:
//   npx tsx scripts/pcsc/card-cli.ts simulate --vpcd /run/careid-pcsc/vpcd.sock

import { processIo } from '../../src/cli/io.js';
import { runCardCommand } from '../../src/cli/main.js';

const code = await runCardCommand(process.argv.slice(2), processIo);
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
