// The gRPC side of the containerd client (client.ts): services loaded from the committed JSON descriptor
// (tools/gen-descriptors.mjs), namespace (and lease) as metadata on every call, errors translated once.
// client.ts loads this module on the first call that finds containerd's socket: @grpc/grpc-js,
// protobufjs and the descriptor cost an idle process ~5 MiB of RSS (docs/performance.md "Footprint and
// soak"), which a host without containerd need not pay.
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import descriptor from './generated/containerd.json' with { type: 'json' };
import { SERVICES, type CallOptions, type ContainerdClient, type DuplexStream, type ServerStream, type ServiceName } from './client';
import { ctrdError, CtrdErrorCodes, fromGrpc } from './errors';
import { LOADER_OPTIONS } from './loader-options';

const packageDefinition = fromJSON(descriptor as never, LOADER_OPTIONS);
const loaded = grpc.loadPackageDefinition(packageDefinition);

function lookup(path: string): grpc.ServiceClientConstructor {
  let node: unknown = loaded;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

/** The client over gRPC; client.ts's createContainerdClient wraps it. */
export function createGrpcClient(options: { socket: string; namespace: string }): ContainerdClient {
  const address = `unix:${options.socket}`;
  const channelOptions = { 'grpc.max_receive_message_length': 32 * 1024 * 1024, 'grpc.max_send_message_length': 32 * 1024 * 1024 };
  const first = new (lookup(SERVICES.version))(address, grpc.credentials.createInsecure(), channelOptions);
  const channel = first.getChannel();
  const clients = new Map<ServiceName, grpc.Client>();
  clients.set('version', first);
  let closed = false;

  function client(name: ServiceName): Record<string, (...args: unknown[]) => unknown> {
    if (closed) throw ctrdError(CtrdErrorCodes.CLOSED);
    let c = clients.get(name);
    if (!c) {
      // Every service shares one channel (one unix connection).
      c = new (lookup(SERVICES[name]))(address, grpc.credentials.createInsecure(), { channelOverride: channel } as never);
      clients.set(name, c);
    }
    return c as unknown as Record<string, (...args: unknown[]) => unknown>;
  }

  function metadata(o: CallOptions | undefined): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('containerd-namespace', options.namespace);
    if (o?.lease) md.set('containerd-lease', o.lease);
    return md;
  }
  function callOptions(o: CallOptions | undefined): grpc.CallOptions {
    return o?.timeoutMs ? { deadline: Date.now() + o.timeoutMs } : {};
  }

  return {
    namespace: options.namespace,
    ready: () => Promise.resolve(),
    unary(service, method, request, o) {
      return new Promise((resolve, reject) => {
        try {
          const c = client(service);
          c[method]!.call(c, request, metadata(o), callOptions(o), (err: grpc.ServiceError | null, res: unknown) => {
            if (err) reject(fromGrpc(err, `${service}.${method}`));
            else resolve(res as never);
          });
        } catch (err) {
          reject(fromGrpc(err, `${service}.${method}`));
        }
      });
    },
    serverStream(service, method, request, o) {
      const c = client(service);
      return c[method]!.call(c, request, metadata(o), callOptions(o)) as ServerStream<typeof service, typeof method>;
    },
    duplex(service, method, o) {
      const c = client(service);
      return c[method]!.call(c, metadata(o), callOptions(o)) as DuplexStream<typeof service, typeof method>;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const c of clients.values()) c.close();
    },
  };
}
