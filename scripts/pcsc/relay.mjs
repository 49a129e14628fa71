// Relays a Unix socket (reachable outside the network namespace) to vpcd's TCP port
// inside it: one TCP connection per client, so a client connecting is a card inserted in
// vpcd's reader and a client leaving is the card removed. Started by namespace.sh.
//   node relay.mjs /run/careid-pcsc/vpcd.sock 127.0.0.1 35963
import { rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const [path, host = '127.0.0.1', port = '35963'] = process.argv.slice(2);
if (path === undefined) {
  console.error('usage: node relay.mjs SOCKET_PATH [HOST] [PORT]');
  process.exit(2);
}

const server = createServer((client) => {
  const upstream = connect(Number(port), host);
  // vpcd answers in small frames: no Nagle on our side of the loopback.
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('close', end);
  upstream.on('close', end);
  client.on('error', end);
  upstream.on('error', end);
});

rmSync(path, { force: true });
server.listen(path);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
