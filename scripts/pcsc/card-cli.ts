// Runs `careid card …` from the sources, for the PC/SC tests and by hand:
//   npx tsx scripts/pcsc/card-cli.ts simulate --vpcd /run/careid-pcsc/vpcd.sock
import { runCardCommand } from '../../src/cli/card.js';

process.exitCode = await runCardCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
