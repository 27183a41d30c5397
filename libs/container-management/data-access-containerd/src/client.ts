// The one place that speaks gRPC to containerd: services loaded from the committed JSON descriptor
// (tools/gen-descriptors.mjs), namespace (and lease) as metadata on every call, errors translated once.
// Requests and responses are typed by the generated types (tools/gen-types.mjs, issue 22 item 4).
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import descriptor from './generated/containerd.json' with { type: 'json' };
import type { ProtoGrpcType } from './generated/types/containerd-api';
import { ctrdError, CtrdErrorCodes, fromGrpc } from './errors';
import { LOADER_OPTIONS } from './loader-options';

type Api = ProtoGrpcType['containerd']['services'];
/** The generated definition of each service the client reaches, by its short name. */
interface Definitions {
  version: Api['version']['v1']['Version']['service'];
  namespaces: Api['namespaces']['v1']['Namespaces']['service'];
  content: Api['content']['v1']['Content']['service'];
  images: Api['images']['v1']['Images']['service'];
  leases: Api['leases']['v1']['Leases']['service'];
  snapshots: Api['snapshots']['v1']['Snapshots']['service'];
  diff: Api['diff']['v1']['Diff']['service'];
  containers: Api['containers']['v1']['Containers']['service'];
  tasks: Api['tasks']['v1']['Tasks']['service'];
  events: Api['events']['v1']['Events']['service'];
}

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
} as const satisfies Record<keyof Definitions, string>);
export type ServiceName = keyof typeof SERVICES;

/** T without index signatures: grpc.ServiceDefinition's `[index: string]` would admit any method name. */
type KnownKeys<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
/** The RPC names of a service. */
export type MethodName<S extends ServiceName> = keyof KnownKeys<Definitions[S]> & string;
/** What may be sent: the generated request type (optional fields, longs as number | string | Long). */
export type RequestOf<S extends ServiceName, M extends MethodName<S>> = Definitions[S][M] extends { requestSerialize: (value: infer R) => Buffer } ? R : never;
/** What comes back: the generated `__Output` type, as LOADER_OPTIONS decode it (defaults filled in,
 *  absent messages null, longs as numbers, enums as their names). */
export type ResponseOf<S extends ServiceName, M extends MethodName<S>> = Definitions[S][M] extends { responseDeserialize: (bytes: Buffer) => infer R } ? R : never;

export interface CallOptions {
  /** containerd-lease metadata: objects created by the call are held by this lease. */
  lease?: string;
  /** Deadline in ms (default none: Wait-style calls block). */
  timeoutMs?: number;
}

export type ServerStream<S extends ServiceName, M extends MethodName<S>> = grpc.ClientReadableStream<ResponseOf<S, M>>;
export type DuplexStream<S extends ServiceName, M extends MethodName<S>> = grpc.ClientDuplexStream<RequestOf<S, M>, ResponseOf<S, M>>;

export interface ContainerdClient {
  readonly namespace: string;
  unary<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, request: RequestOf<S, M>, options?: CallOptions): Promise<ResponseOf<S, M>>;
  serverStream<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, request: RequestOf<S, M>, options?: CallOptions): ServerStream<S, M>;
  duplex<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, options?: CallOptions): DuplexStream<S, M>;
  close(): void;
}

const packageDefinition = fromJSON(descriptor as never, LOADER_OPTIONS);
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
