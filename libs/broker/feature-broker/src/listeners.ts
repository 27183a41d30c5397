// The network side: a TCP listener, and optionally TLS and WebSocket ones, all on `host`. Each accepted
// connection gets TCP_NODELAY (MQTT is many small packets) and TCP keep-alive (so half-open connections
// of clients with keepalive 0 still end), then goes to `onConnection` as a plain Duplex. Every socket is
// tracked so close() ends the ones aedes does not know about (no CONNECT yet, refused and lingering).
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from '@ledge/shared/util';
import type { WebSocketServer } from 'ws';
import { listenError, tlsFileError } from './errors';

export type ListenerProtocol = 'tcp' | 'tls' | 'ws';

export interface ConnectionMeta {
  protocol: ListenerProtocol;
  address: string;
  port: number;
  listenerPort: number;
}

export interface ListenerAddress {
  protocol: ListenerProtocol;
  host: string;
  port: number;
}

export interface ListenersOptions {
  host: string;
  port: number;
  tlsPort: number;
  tlsCert: string;
  tlsKey: string;
  tlsCa: string;
  tlsRequireClientCert: boolean;
  wsPort: number;
  /** Largest WebSocket message accepted (one MQTT packet per message at most, in practice). */
  maxPacketSize: number;
  logger: Logger;
  onConnection(stream: Duplex, meta: ConnectionMeta): void;
  readFile?: (path: string) => Buffer;
}

export interface Listeners {
  /** Binds every enabled listener; resolves with the real addresses (port 0 resolved). */
  start(): Promise<ListenerAddress[]>;
  /** Stops accepting new connections. */
  stopAccepting(): void;
  /** Stops accepting and destroys every connection still open. Idempotent. */
  close(): Promise<void>;
}

const KEEPALIVE_INITIAL_DELAY_MS = 60_000;

export function createListeners(options: ListenersOptions): Listeners {
  const logger = options.logger.child({ component: 'listeners' });
  const sockets = new Set<Socket>();
  const servers: { protocol: ListenerProtocol; server: Server | HttpServer; port: number }[] = [];
  let wss: WebSocketServer | undefined;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_INITIAL_DELAY_MS);
  };
  const meta = (protocol: ListenerProtocol, socket: Socket, listenerPort: number): ConnectionMeta => ({
    protocol,
    address: socket.remoteAddress ?? 'unknown',
    port: socket.remotePort ?? 0,
    listenerPort,
  });
  const portOf = (server: Server | HttpServer) => (server.address() as AddressInfo).port;

  if (options.port >= 0) {
    const server = createTcpServer((socket) => {
      track(socket);
      options.onConnection(socket, meta('tcp', socket, portOf(server)));
    });
    servers.push({ protocol: 'tcp', server, port: options.port });
  }

  if (options.tlsPort >= 0) {
    const read = options.readFile ?? ((p: string) => readFileSync(p));
    const file = (path: string) => {
      try {
        return read(path);
      } catch (err) {
        throw tlsFileError(path, err);
      }
    };
    const server = createTlsServer({
      cert: file(options.tlsCert),
      key: file(options.tlsKey),
      ...(options.tlsCa ? { ca: file(options.tlsCa) } : {}),
      requestCert: options.tlsRequireClientCert,
      rejectUnauthorized: options.tlsRequireClientCert,
    });
    server.on('connection', (socket: Socket) => track(socket));
    server.on('secureConnection', (socket: TLSSocket) => options.onConnection(socket, meta('tls', socket, portOf(server))));
    server.on('tlsClientError', (err, socket) => logger.debug({ err, address: socket.remoteAddress }, 'TLS handshake failed'));
    servers.push({ protocol: 'tls', server, port: options.tlsPort });
  }

  // ws is loaded only when the WebSocket listener is enabled (off by default): unused code costs RSS.
  let attachWebSocket: (() => Promise<void>) | undefined;
  if (options.wsPort >= 0) {
    const server = createHttpServer();
    server.on('connection', (socket: Socket) => track(socket));
    attachWebSocket = async () => {
      const { WebSocketServer, createWebSocketStream } = await import('ws');
      wss = new WebSocketServer({
        server,
        maxPayload: options.maxPacketSize + 8,
        // MQTT over WebSocket: subprotocol "mqtt" (3.1.1) or "mqttv3.1"; clients offering none are served too
        handleProtocols: (offered) => ['mqtt', 'mqttv3.1'].find((p) => offered.has(p)) ?? false,
      });
      wss.on('connection', (ws, req) => {
        const stream = createWebSocketStream(ws);
        stream.on('error', (err) => logger.debug({ err }, 'WebSocket stream error'));
        options.onConnection(stream, meta('ws', req.socket, portOf(server)));
      });
      wss.on('error', (err) => logger.warn({ err }, 'WebSocket server error'));
    };
    servers.push({ protocol: 'ws', server, port: options.wsPort });
  }

  let closing: Promise<void> | undefined;
  const stopAccepting = () => {
    for (const { server } of servers) if (server.listening) server.close();
  };

  return {
    async start() {
      await attachWebSocket?.();
      attachWebSocket = undefined;
      const bound: ListenerAddress[] = [];
      for (const s of servers) {
        await new Promise<void>((resolve, reject) => {
          const onError = (err: Error) => reject(listenError(s.protocol, options.host, s.port, err));
          s.server.once('error', onError);
          s.server.listen(s.port, options.host, () => {
            s.server.off('error', onError);
            s.server.on('error', (err) => logger.warn({ err, protocol: s.protocol }, 'listener error'));
            resolve();
          });
        });
        const address = { protocol: s.protocol, host: options.host, port: portOf(s.server) };
        logger.info(address, 'listening');
        bound.push(address);
      }
      return bound;
    },
    stopAccepting,
    close() {
      closing ??= (async () => {
        stopAccepting();
        wss?.close();
        for (const socket of sockets) socket.destroy();
        await Promise.all(
          servers.map(({ server }) => new Promise<void>((resolve) => (server.listening ? server.once('close', () => resolve()) : resolve()))),
        );
      })();
      return closing;
    },
  };
}
