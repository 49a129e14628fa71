import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { isCareIdError } from 'careid';
import { toNodeListener } from 'careid/http';
import { createDeskHandler } from './app.js';
import { bundlePage } from './bundle.js';
import { setUpDesk } from './setup.js';

const usage = `careid reference RA desk (development sign-in: not for production)

  npm run desk -- [--store FILE.sqlite | --store postgres://...] [--port 8080] [--host 127.0.0.1]

  --store URL     a SQLite file or a PostgreSQL URL (default: the in-memory store)
  --data-dir DIR  a lasting store's sealed CA keys and card secrets (default: .desk-data)
  --port N        the port (default 8080; 0 picks a free one)
  --host H        the address to listen on (default 127.0.0.1)
  --origin URL    where browsers reach the page, for WebAuthn security keys: its host is the
                  RP ID (default http://localhost:PORT; a real deployment: its https origin)
  CAREID_VAULT_KEY  base64 of 32 bytes; needed with a lasting store`;

const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    'data-dir': { type: 'string' },
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    origin: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, not ${values.port}\n\n${usage}`);
  process.exit(2);
}
const keyText = process.env['CAREID_VAULT_KEY'];
// The port first: the WebAuthn origin names it (--port 0 picks one when listening).
const server = createServer();
await new Promise<void>((resolve) => server.listen(port, values.host, resolve));
const { port: bound } = server.address() as AddressInfo;
// WebAuthn needs a domain as RP ID (never an IP address) and HTTPS, except on localhost:
// so the desk's page is at http://localhost:PORT unless --origin names where it is served.
let origin: URL;
try {
  origin = new URL(values.origin ?? `http://localhost:${bound}`);
} catch {
  console.error(`--origin must be a URL such as https://ra.example.nhs.uk, not ${values.origin}`);
  process.exit(2);
}
let setup: Awaited<ReturnType<typeof setUpDesk>>;
try {
  setup = await setUpDesk({
    store: values.store,
    dataDir: values['data-dir'],
    vaultKey: keyText === undefined ? undefined : new Uint8Array(Buffer.from(keyText, 'base64')),
    webauthn: { rpId: origin.hostname, rpName: 'careid RA desk', origins: [origin.origin] },
  });
} catch (error) {
  // careid's own refusals (an http origin that is not localhost, a bad store URL) are for the
  // person starting the desk: their code and message, not a stack trace.
  if (!isCareIdError(error)) throw error;
  console.error(`careid desk: ${error.code}: ${error.message}`);
  server.close();
  process.exit(2);
}
server.on('request', toNodeListener(createDeskHandler(setup, await bundlePage())));
console.log(
  `careid desk on ${origin.origin}/ (listening on ${values.host}:${bound}; store: ${setup.storeName})`,
);
const stop = () => {
  server.closeAllConnections();
  server.close(() => void setup.close().then(() => process.exit(0)));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
