// One network listener of the device side: plain TCP, or TLS when a key and certificate are given (Hono's
// adapter listens on 1883 and 8883). Every socket is tracked so close() ends those aedes does not know
// about (no CONNECT yet, refused and lingering); TCP keep-alive ends half-open ones of keepalive-0 devices.
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from '@ledge/shared/util';
import { listenError } from './errors';

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
}

export interface Listener {
  readonly port: number;
  /** Stops accepting and destroys every connection still open. Idempotent. */
  close(): Promise<void>;
}

const KEEPALIVE_INITIAL_DELAY_MS = 60_000;

export async function startListener(options: ListenOptions, onConnection: (stream: Duplex) => void, logger: Logger): Promise<Listener> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_INITIAL_DELAY_MS);
    // aedes listens for errors once it handles the stream; before that (TLS handshake) nobody does.
    socket.on('error', (err) => logger.debug({ err, address: socket.remoteAddress }, 'device socket error'));
  };
  let server: Server;
  if (options.tls) {
    const tls = createTlsServer({ key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' });
    tls.on('connection', track);
    tls.on('secureConnection', (socket: TLSSocket) => onConnection(socket));
    tls.on('tlsClientError', (err, socket) => logger.debug({ err, address: socket.remoteAddress }, 'TLS handshake failed'));
    server = tls;
  } else {
    server = createTcpServer((socket) => {
      track(socket);
      onConnection(socket);
    });
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(listenError(options.host, options.port, err));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      server.on('error', (err) => logger.warn({ err }, 'device listener error'));
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ host: options.host, port, tls: options.tls !== undefined }, 'listening');
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
