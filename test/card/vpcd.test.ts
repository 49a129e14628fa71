import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { attachToVpcd, parseVpcdAddress, VirtualPivCard } from '../../src/card/index.js';

/** A stand-in for vpcd's side of the protocol: length-prefixed frames over TCP. */
function fakeVpcd(): Promise<{ server: Server; port: number; next: () => Promise<Socket> }> {
  const waiting: ((s: Socket) => void)[] = [];
  const queued: Socket[] = [];
  const server = createServer((socket) => {
    const w = waiting.shift();
    if (w) w(socket);
    else queued.push(socket);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        server,
        port,
        next: () => {
          const q = queued.shift();
          return q ? Promise.resolve(q) : new Promise((r) => waiting.push(r));
        },
      });
    });
  });
}

function exchange(socket: Socket, message: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        socket.off('data', onData);
        resolve(new Uint8Array(buffer.subarray(2, 2 + buffer.readUInt16BE(0))));
      }
    };
    socket.on('data', onData);
    // vpcd writes the length and the body separately: so does this double.
    const length = Buffer.alloc(2);
    length.writeUInt16BE(message.length);
    socket.write(length);
    socket.write(message);
  });
}

const closed = (socket: Socket) => new Promise<void>((r) => socket.once('close', () => r()));

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('vpcd link', () => {
  it('answers GET ATR and APDUs in length-prefixed frames', async () => {
    const { server, port, next } = await fakeVpcd();
    const card = new VirtualPivCard();
    const link = attachToVpcd(card, { host: '127.0.0.1', port });
    cleanup.push(async () => {
      await link.close();
      server.close();
    });
    await link.connected;
    const socket = await next();
    expect(await exchange(socket, Uint8Array.of(0x04))).toEqual(card.atr);
    expect(await exchange(socket, Uint8Array.of(0x00, 0x20, 0x00, 0x80))).toEqual(
      Uint8Array.of(0x63, 0xc3),
    );
  });

  it('power-off and reset clear the security status; pull disconnects, insert reconnects', async () => {
    const { server, port, next } = await fakeVpcd();
    const card = new VirtualPivCard();
    const link = attachToVpcd(card, { host: '127.0.0.1', port });
    cleanup.push(async () => {
      await link.close();
      server.close();
    });
    const socket = await next();
    const verify = Uint8Array.of(
      0x00,
      0x20,
      0x00,
      0x80,
      0x08,
      0x31,
      0x32,
      0x33,
      0x34,
      0x35,
      0x36,
      0xff,
      0xff,
    );
    expect(await exchange(socket, verify)).toEqual(Uint8Array.of(0x90, 0x00));
    socket.write(Uint8Array.of(0x00, 0x01, 0x02)); // reset: no answer expected
    expect(await exchange(socket, Uint8Array.of(0x00, 0x20, 0x00, 0x80))).toEqual(
      Uint8Array.of(0x63, 0xc3),
    );
    const gone = closed(socket);
    card.pull();
    await gone;
    card.insert();
    const again = await next();
    expect(await exchange(again, Uint8Array.of(0x04))).toEqual(card.atr);
    // Fault injection: the card receives the next APDU and leaves without answering.
    card.pullAfter(0);
    const dropped = closed(again);
    again.write(Uint8Array.of(0x00, 0x04, 0x00, 0x20, 0x00, 0x80));
    await dropped;
    expect(card.present).toBe(false);
  });

  it('rejects `connected` when vpcd is not listening', async () => {
    const { server, port } = await fakeVpcd();
    await new Promise<void>((r) => server.close(() => r()));
    const link = attachToVpcd(new VirtualPivCard(), { host: '127.0.0.1', port });
    await expect(link.connected).rejects.toMatchObject({ code: 'CARD_TRANSPORT' });
    await link.close();
  });

  it('parses vpcd addresses', () => {
    expect(parseVpcdAddress('127.0.0.1:35963')).toEqual({ host: '127.0.0.1', port: 35963 });
    expect(parseVpcdAddress(':35964')).toEqual({ host: '127.0.0.1', port: 35964 });
    expect(parseVpcdAddress('/run/careid-pcsc/vpcd.sock')).toEqual({
      path: '/run/careid-pcsc/vpcd.sock',
    });
    expect(() => parseVpcdAddress('host:notaport')).toThrow(/not a vpcd address/);
  });
});
