// Kanto's defaults for a new container (§4.2 descriptor defaults, §4.3 CLI defaults).
import type { ContainerConfig, LogConfig, RestartPolicy } from './container';

export const defaultLogConfig: Readonly<LogConfig> = Object.freeze({
  type: 'json-file',
  maxFiles: 2,
  maxSizeBytes: 100 * 1024 * 1024,
  mode: 'blocking',
  maxBufferSizeBytes: 1024 * 1024,
});

export const defaultRestartPolicy: Readonly<RestartPolicy> = Object.freeze({ type: 'unless-stopped' });

/** on-failure defaults (`--rp-cnt` 1, `--rp-to` 30 s). */
export const DEFAULT_MAX_RETRY_COUNT = 1;
export const DEFAULT_RETRY_TIMEOUT_SECONDS = 30;

/** A container name from an image reference: `docker.io/library/influxdb:1.8.4` → `influxdb`. */
export function nameFromImageRef(imageRef: string): string {
  const noDigest = imageRef.split('@')[0]!;
  const last = noDigest.split('/').at(-1)!;
  const name = last.split(':')[0]!.replace(/[^a-zA-Z0-9_.-]/g, '-');
  return name === '' ? 'container' : name;
}

/** Container names: docker's rule. */
export function isValidContainerName(name: string): boolean {
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(name);
}

export function defaultContainerConfig(name: string, imageRef: string): ContainerConfig {
  return {
    name,
    imageRef,
    hostName: `${name}-host`,
    domainName: `${name}-domain`,
    env: [],
    cmd: [],
    privileged: false,
    extraHosts: [],
    extraCapabilities: [],
    networkMode: 'bridge',
    openStdin: false,
    tty: false,
    mountPoints: [],
    devices: [],
    portMappings: [],
    restartPolicy: { ...defaultRestartPolicy },
    resources: {},
    log: { ...defaultLogConfig },
  };
}
