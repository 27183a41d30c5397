// §2.1.5: a local response is forwarded to the cloud only if its correlation-id was seen on a request
// within the request's timeout + 5 s, and only once. Pure and clock-injected; bounded so a flood of
// requests cannot exhaust memory (the oldest entry is evicted first).
import { withDefaults } from '@ledge/shared/util';

export interface CorrelationCacheOptions {
  /** Milliseconds since an arbitrary epoch; injected for tests. */
  readonly now: () => number;
  /** Added to each request's timeout (§2.1.5: 5 s). */
  readonly graceMs: number;
  /** Upper bound on remembered IDs; the oldest is evicted beyond it. */
  readonly maxEntries: number;
  /** Longer IDs are not cached (bounds memory per entry). */
  readonly maxIdLength: number;
}

export const defaultCorrelationCacheOptions: CorrelationCacheOptions = Object.freeze({
  now: () => Date.now(),
  graceMs: 5_000,
  maxEntries: 10_000,
  maxIdLength: 1_024,
});

export interface CorrelationCache {
  /** Caches `correlationId` for `timeoutMs + graceMs`; timeout 0 (or invalid) → not cached. Returns whether cached. */
  remember(correlationId: string, timeoutMs: number): boolean;
  /** True only if the ID is cached and not expired; removes it either way. */
  take(correlationId: string): boolean;
  /** Drops expired entries; returns how many were dropped. */
  prune(): number;
  readonly size: number;
  clear(): void;
}

export function createCorrelationCache(options: Partial<CorrelationCacheOptions> = {}): CorrelationCache {
  const { now, graceMs, maxEntries, maxIdLength } = withDefaults(defaultCorrelationCacheOptions, options);
  // Map iteration order is insertion order, so the first key is the oldest entry.
  const expiries = new Map<string, number>();

  return {
    remember(correlationId, timeoutMs) {
      if (correlationId === '' || correlationId.length > maxIdLength) return false;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || maxEntries <= 0) return false;
      expiries.delete(correlationId);
      expiries.set(correlationId, now() + timeoutMs + graceMs);
      while (expiries.size > maxEntries) {
        const oldest = expiries.keys().next();
        if (oldest.done === true) break;
        expiries.delete(oldest.value);
      }
      return true;
    },
    take(correlationId) {
      const expiresAt = expiries.get(correlationId);
      if (expiresAt === undefined) return false;
      expiries.delete(correlationId);
      return now() <= expiresAt;
    },
    prune() {
      const t = now();
      let dropped = 0;
      for (const [id, expiresAt] of expiries) {
        if (expiresAt < t) {
          expiries.delete(id);
          dropped++;
        }
      }
      return dropped;
    },
    get size() {
      return expiries.size;
    },
    clear() {
      expiries.clear();
    },
  };
}
