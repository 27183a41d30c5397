// The one place that speaks gRPC to containerd: services loaded from the committed JSON descriptor
// (tools/gen-descriptors.mjs), namespace (and lease) as metadata on every call, errors translated once.
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import descriptor from './generated/containerd.json' with { type: 'json' };
import { ctrdError, CtrdErrorCodes, fromGrpc } from './errors';

export const SERVICES = Object.freeze({
  version: 'containerd.services.version.v1.Version',
  namespaces: 'containerd.services.namespaces.v1.Namespaces',
  content: 'containerd.services.content.v1.Content',
  images: 'containerd.services.images.v1.Images',
  leases: 'containerd.services.leases.v1.Leases',
  snapshots: 'containerd.services.snapshots.v1.Snapshots',
  diff: 'containerd.services.diff.v1.Diff',
  containers: 'containerd.services.containers.v1.Containers',
  tasks: 'containerd.services.tasks.v1.Tasks',
  events: 'containerd.services.events.v1.Events',
} as const);
export type ServiceName = keyof typeof SERVICES;

export interface CallOptions {
  /** containerd-lease metadata: objects created by the call are held by this lease. */
  lease?: string;
  /** Deadline in ms (default none: Wait-style calls block). */
  timeoutMs?: number;
}

// Loose message shapes: the descriptor is the schema; callers pick the fields they need.
export type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ContainerdClient {
  readonly namespace: string;
  unary<T = Msg>(service: ServiceName, method: string, request: Msg, options?: CallOptions): Promise<T>;
  serverStream(service: ServiceName, method: string, request: Msg, options?: CallOptions): grpc.ClientReadableStream<Msg>;
  duplex(service: ServiceName, method: string, options?: CallOptions): grpc.ClientDuplexStream<Msg, Msg>;
  close(): void;
}

const packageDefinition = fromJSON(descriptor as never, {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(packageDefinition);

function lookup(path: string): grpc.ServiceClientConstructor {
  let node: unknown = loaded;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

export function createContainerdClient(options: { socket: string; namespace: string }): ContainerdClient {
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
      return c[method]!.call(c, request, metadata(o), callOptions(o)) as grpc.ClientReadableStream<Msg>;
    },
    duplex(service, method, o) {
      const c = client(service);
      return c[method]!.call(c, metadata(o), callOptions(o)) as grpc.ClientDuplexStream<Msg, Msg>;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const c of clients.values()) c.close();
    },
  };
}
