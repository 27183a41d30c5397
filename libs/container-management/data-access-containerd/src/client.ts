// The one place that speaks to containerd: the client's interface, and the client that loads its gRPC
// side (grpc-client.ts: @grpc/grpc-js, protobufjs, the descriptor) only once containerd's socket exists.
// Until then a call fails as gRPC fails a call to a missing socket (UNAVAILABLE, the same error), without
// loading gRPC: an idle host without containerd saves ~5 MiB of RSS (docs/performance.md "Footprint and
// soak"). Requests and responses are typed by the generated types (tools/gen-types.mjs, issue 22 item 4).
import { stat } from 'node:fs/promises';
import type * as grpc from '@grpc/grpc-js';
import { lazy } from '@ledge/shared/util';
import type { ProtoGrpcType } from './generated/types/containerd-api';
import { ctrdError, CtrdErrorCodes, fromGrpc } from './errors';

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
  /** Resolves once the gRPC client exists (at once after the first call that reached the socket); rejects
   *  as a stream's 'error' would (a gRPC ServiceError, UNAVAILABLE while the socket is missing). Streams
   *  (serverStream, duplex) may be opened only after it resolved. */
  ready(): Promise<void>;
  unary<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, request: RequestOf<S, M>, options?: CallOptions): Promise<ResponseOf<S, M>>;
  serverStream<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, request: RequestOf<S, M>, options?: CallOptions): ServerStream<S, M>;
  duplex<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, options?: CallOptions): DuplexStream<S, M>;
  close(): void;
}

const grpcClient = lazy(() => import('./grpc-client'));

/** What @grpc/grpc-js reports for a call on a channel whose unix socket does not exist (code, details and
 *  message as it words them), so that a call made before the gRPC client is loaded fails the same way. */
export function missingSocketError(socket: string): grpc.ServiceError {
  const details = `No connection established. Last error: Error: connect ENOENT ${socket}. Resolution note: `;
  return Object.assign(new Error(`14 UNAVAILABLE: ${details}`), { code: 14, details, metadata: undefined as unknown as grpc.Metadata });
}

/** The containerd client: loads its gRPC side on the first call (or ready()) that finds the socket. */
export function createContainerdClient(options: { socket: string; namespace: string }): ContainerdClient {
  let real: ContainerdClient | undefined;
  let closed = false;

  /** The gRPC client, made once the socket exists; rejects with a raw gRPC-shaped error otherwise. */
  async function connect(): Promise<ContainerdClient> {
    if (real) return real;
    if (closed) throw ctrdError(CtrdErrorCodes.CLOSED);
    const found = await stat(options.socket).then(
      () => true,
      () => false,
    );
    if (!found) throw missingSocketError(options.socket);
    const { createGrpcClient } = await grpcClient();
    if (closed) throw ctrdError(CtrdErrorCodes.CLOSED);
    return (real ??= createGrpcClient(options));
  }
  function loaded(): ContainerdClient {
    if (closed) throw ctrdError(CtrdErrorCodes.CLOSED);
    if (!real) throw new Error('containerd client: a stream was opened before ready() resolved');
    return real;
  }

  return {
    namespace: options.namespace,
    async ready() {
      await connect();
    },
    unary(service, method, request, o) {
      if (real) return real.unary(service, method, request, o);
      return connect().then(
        (c) => c.unary(service, method, request, o),
        (err: unknown) => Promise.reject(fromGrpc(err, `${service}.${method}`)),
      );
    },
    serverStream: (service, method, request, o) => loaded().serverStream(service, method, request, o),
    duplex: (service, method, o) => loaded().duplex(service, method, o),
    close() {
      if (closed) return;
      closed = true;
      real?.close();
    },
  };
}
