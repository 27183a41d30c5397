// Capped exponential backoff with jitter, shared by every reconnecting client (STYLE.md: reconnect
// lives in data-access; this is the arithmetic it uses).
import { withDefaults } from './defaults';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** ±fraction of randomisation, e.g. 0.25 for ±25 %. */
  jitter: number;
  random?: () => number;
}

export const defaultBackoffOptions: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 500,
  maxMs: 30_000,
  multiplier: 2,
  jitter: 0.25,
});

export interface Backoff {
  /** Delay before the next attempt; grows until maxMs. */
  next(): number;
  /** Call after a successful connection. */
  reset(): void;
  readonly attempts: number;
}

export function createBackoff(options: Partial<BackoffOptions> = {}): Backoff {
  const o = withDefaults(defaultBackoffOptions, options);
  const random = o.random ?? Math.random;
  let attempts = 0;
  return {
    next() {
      const base = Math.min(o.maxMs, o.initialMs * o.multiplier ** attempts);
      attempts++;
      const spread = base * o.jitter;
      return Math.max(0, Math.round(base - spread + random() * 2 * spread));
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
