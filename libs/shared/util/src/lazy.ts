// Loading on first use. An idle gateway process pays for every module it evaluates at start-up, and
// most of the time no app transfers anything: undici (the HTTP client of downloads, uploads and image
// pulls) is ~1 MB of bundled code, and evaluating it costs an idle process ~5 MB of RSS (measured with
// `ledge run --apps broker,connector,file-upload`, docs/performance.md). Its users load it with
// `lazy(() => import('undici'))`; the bundler turns that into a require() run on the first call.

/** Memoizes an async loader: the first call starts it, every later call shares its promise; a failed load is retried by the next call. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
}

export interface LazyResource<T> {
  /** The resource, created on the first call. */
  get(): Promise<T>;
  /** Closes it if it was ever created; a later get() creates a new one. */
  close(): Promise<void>;
}

/** Something this code owns and must close (an HTTP agent with its TLS roots and timeouts), made when it is first needed. */
export function lazyResource<T extends { close(): Promise<unknown> }>(create: () => Promise<T>): LazyResource<T> {
  let made: Promise<T> | undefined;
  return {
    get: () =>
      (made ??= create().catch((err: unknown) => {
        made = undefined;
        throw err;
      })),
    async close() {
      const r = made;
      made = undefined;
      if (r) await (await r.catch(() => undefined))?.close();
    },
  };
}
