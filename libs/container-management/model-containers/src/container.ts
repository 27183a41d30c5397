// The Ledge container model: what the manager persists and hands to the runtime. Ditto payloads
// (§3.3, upper-case enums), deployment descriptors (§4.2, snake_case) and CLI flags (§4.3) are all
// translated into this one shape by pure functions; the runtime never sees a wire format.
import type { HealthCheck } from './health-check';

/**
 * `on-unhealthy` is Ledge's (issue 18): `unless-stopped` for exits, and also a restart when the container's
 * health check finds it unhealthy. It needs a health check.
 */
export type RestartPolicyType = 'no' | 'always' | 'on-failure' | 'unless-stopped' | 'on-unhealthy';
export type NetworkMode = 'bridge' | 'host';
export type PropagationMode = 'rprivate' | 'private' | 'rshared' | 'shared' | 'rslave' | 'slave';
export type LogDriver = 'json-file' | 'none';
export type LogMode = 'blocking' | 'non-blocking';

export interface RestartPolicy {
  type: RestartPolicyType;
  /** on-failure only: restarts allowed before giving up (Kanto default 1). */
  maxRetryCount?: number;
  /** on-failure only: seconds after which the retry count resets (Kanto default 30). */
  retryTimeoutSeconds?: number;
}

export interface PortMapping {
  proto: 'tcp' | 'udp';
  containerPort: number;
  /** Host address to bind, '0.0.0.0' = all. */
  hostIP: string;
  hostPort: number;
  /** Inclusive end of a host port range (maps hostPort..hostPortEnd to containerPort..). */
  hostPortEnd?: number;
}

export interface MountPoint {
  source: string;
  destination: string;
  propagationMode: PropagationMode;
}

export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer: string;
  /** Any of r, w, m. */
  cgroupPermissions: string;
}

export interface Resources {
  /** Hard memory limit in bytes (cgroup memory.max). */
  memoryBytes?: number;
  /** Soft limit in bytes (memory.low). */
  memoryReservationBytes?: number;
  /** Memory + swap in bytes; -1 = unlimited swap. */
  memorySwapBytes?: number;
}

export interface LogConfig {
  type: LogDriver;
  /** json-file: files kept (current + rotated). */
  maxFiles: number;
  /** json-file: rotate when the current file reaches this many bytes. */
  maxSizeBytes: number;
  /** Directory for the log files; default <home>/containers/<id>/. */
  rootDir?: string;
  mode: LogMode;
  /** non-blocking mode: bytes buffered before lines are dropped. */
  maxBufferSizeBytes: number;
}

export interface ContainerConfig {
  name: string;
  imageRef: string;
  hostName: string;
  domainName: string;
  env: string[];
  /** Overrides the image's entrypoint+cmd when non-empty (Kanto semantics: replaces CMD, keeps ENTRYPOINT). */
  cmd: string[];
  privileged: boolean;
  /** "host:ip" entries for /etc/hosts; ip "host_ip" means the gateway's own address (§3.3). */
  extraHosts: string[];
  /** Linux capability names, e.g. CAP_NET_ADMIN, added to the default set. */
  extraCapabilities: string[];
  networkMode: NetworkMode;
  openStdin: boolean;
  tty: boolean;
  mountPoints: MountPoint[];
  devices: DeviceMapping[];
  portMappings: PortMapping[];
  restartPolicy: RestartPolicy;
  resources: Resources;
  log: LogConfig;
  /** Ledge's health check (issue 18); absent = none (and absent in records written before it existed). */
  healthCheck?: HealthCheck;
}
