// Options merged over their defaults. A key passed as `undefined` keeps its default: with plain object
// spread it would replace the default with `undefined` and fail validation (or worse, pass it) far from
// the caller that only meant "not set".
export function withDefaults<D extends object, O extends object>(defaults: D, options: O | undefined): D & O {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  if (options !== undefined) {
    for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  }
  return out as D & O;
}
