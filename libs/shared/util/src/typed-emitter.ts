// A small typed event emitter (STYLE.md: typed event maps, as MQTT.js's TypedEmitter). Unlike
// node:events it never lets a listener's exception (or an async listener's rejection) escape into the
// code that emitted: a bad listener is reported through `onListenerError`, the others still run. That
// is what keeps one broken feature from taking the MQTT connection (and the process) down. It lives in
// util so that every emitter uses it: the local bus and its watchers, and the cloud client, whose
// listeners run inside MQTT.js callbacks (issue 22).

/** Event name → listener argument tuple, e.g. `{ connected: [info: ConnectedInfo] }`. */
export type EventMap<E> = { [K in keyof E]: unknown[] };

export type Listener<A extends unknown[]> = (...args: A) => void | Promise<void>;

/** The listening half, which public interfaces expose. */
export interface EventSource<E extends EventMap<E>> {
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this;
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this;
  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this;
  listenerCount(event: keyof E): number;
}

export class TypedEmitter<E extends EventMap<E>> implements EventSource<E> {
  readonly #listeners = new Map<keyof E, { fn: Listener<E[keyof E]>; once: boolean }[]>();
  readonly #onListenerError: (err: unknown, event: keyof E) => void;

  constructor(onListenerError: (err: unknown, event: keyof E) => void) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener, false);
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener, true);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    if (list) {
      const i = list.findIndex((l) => l.fn === (listener as unknown));
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Calls every listener; returns whether there was any. Never throws. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    for (const l of [...list]) {
      if (l.once) this.off(event, l.fn as Listener<E[K]>);
      try {
        const r = (l.fn as Listener<E[K]>)(...args);
        if (r !== undefined && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).then(undefined, (err: unknown) => this.#onListenerError(err, event));
        }
      } catch (err) {
        this.#onListenerError(err, event);
      }
    }
    return true;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  #add<K extends keyof E>(event: K, listener: Listener<E[K]>, once: boolean): this {
    let list = this.#listeners.get(event);
    if (!list) this.#listeners.set(event, (list = []));
    list.push({ fn: listener as unknown as Listener<E[keyof E]>, once });
    return this;
  }
}
