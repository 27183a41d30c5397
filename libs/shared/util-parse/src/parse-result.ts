/** The failure half of every parser result in this lib: parsers never throw, they list problems. */
export interface ParseFailure {
  readonly ok: false;
  readonly problems: readonly string[];
}

export function parseFailure(...problems: string[]): ParseFailure {
  return { ok: false, problems };
}
