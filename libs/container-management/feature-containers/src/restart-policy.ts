// Restart decisions after a task exit the user did not ask for (docker/Kanto semantics).
import type { RestartPolicy } from '@ledge/container-management/model-containers';
import { DEFAULT_MAX_RETRY_COUNT, DEFAULT_RETRY_TIMEOUT_SECONDS } from '@ledge/container-management/model-containers';

export interface RestartBook {
  restartCount: number;
  restartWindowStart: number;
}

export type RestartDecision = { restart: false } | { restart: true; book: RestartBook };

/**
 * `no`: never. `always`, `unless-stopped`, `on-unhealthy` (whose restart on an unhealthy verdict is the
 * health monitor's): every time (a user stop never gets here). `on-failure`: a
 * non-zero exit, at most maxRetryCount times within retryTimeout seconds of the first retry; the window
 * (and count) starts over once it has passed.
 */
export function decideRestart(policy: RestartPolicy, exitCode: number, book: RestartBook, now: number): RestartDecision {
  switch (policy.type) {
    case 'always':
    case 'unless-stopped':
    case 'on-unhealthy':
      return { restart: true, book };
    case 'on-failure': {
      if (exitCode === 0) return { restart: false };
      const max = policy.maxRetryCount ?? DEFAULT_MAX_RETRY_COUNT;
      const windowMs = (policy.retryTimeoutSeconds ?? DEFAULT_RETRY_TIMEOUT_SECONDS) * 1000;
      const fresh = book.restartCount === 0 || now - book.restartWindowStart > windowMs;
      const current = fresh ? { restartCount: 0, restartWindowStart: now } : book;
      if (current.restartCount >= max) return { restart: false };
      return { restart: true, book: { restartCount: current.restartCount + 1, restartWindowStart: current.restartWindowStart } };
    }
    default:
      return { restart: false };
  }
}

/** After a daemon start: which persisted, not-running containers to start. */
export function startOnBoot(policy: RestartPolicy, userStopped: boolean, wasRunning: boolean): boolean {
  // docker semantics: `always` comes back with the daemon even after a user stop, `unless-stopped` not.
  if (policy.type === 'always') return true;
  if (userStopped) return false;
  if (policy.type === 'unless-stopped' || policy.type === 'on-unhealthy') return true;
  return policy.type === 'on-failure' && wasRunning;
}
