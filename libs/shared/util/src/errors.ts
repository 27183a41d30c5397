// Typed errors with stable codes (STYLE.md "Errors"). Classes follow containerd's errdefs so every
// layer can translate foreign errors once, at its boundary, and callers can branch on the kind.
// Codes are never reused; docs/errors.md lists them.

export type ErrorKind =
  | 'InvalidArgument'
  | 'NotFound'
  | 'AlreadyExists'
  | 'FailedPrecondition'
  | 'Unavailable'
  | 'Internal';

export interface LedgeErrorOptions {
  cause?: unknown;
  /** Structured details for logs and error responses (never secrets). */
  details?: Record<string, unknown>;
}

export class LedgeError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options: LedgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = `${kind}Error`;
    this.kind = kind;
    this.code = code;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

export class InvalidArgumentError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('InvalidArgument', code, message, options);
  }
}
export class NotFoundError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('NotFound', code, message, options);
  }
}
export class AlreadyExistsError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('AlreadyExists', code, message, options);
  }
}
export class FailedPreconditionError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('FailedPrecondition', code, message, options);
  }
}
export class UnavailableError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('Unavailable', code, message, options);
  }
}
export class InternalError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('Internal', code, message, options);
  }
}

export function isLedgeError(err: unknown): err is LedgeError {
  return err instanceof LedgeError;
}

/** Fills `{name}` placeholders of a message template from `values`. */
export function formatMessage(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/**
 * One error of a library (STYLE.md "Errors"): its stable code, its kind (the LedgeError class it is
 * built as) and its message template, whose `{name}` placeholders (`\w+`) `create` fills.
 */
export interface ErrorDef {
  readonly code: `LEDGE_${string}`;
  readonly kind: ErrorKind;
  readonly message: string;
}

/** The `{name}` placeholders of a message template, as a union of names (`never` when it has none). */
export type TemplatePlaceholders<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | TemplatePlaceholders<Rest> : never;

/** The values a template needs: one per placeholder; a template typed only as `string` takes any record. */
export type TemplateValues<T extends string> = string extends T ? Readonly<Record<string, unknown>> : { readonly [K in TemplatePlaceholders<T>]: unknown };

type ErrorClass = new (code: string, message: string, options?: LedgeErrorOptions) => LedgeError;

const kindClasses = Object.freeze({
  InvalidArgument: InvalidArgumentError,
  NotFound: NotFoundError,
  AlreadyExists: AlreadyExistsError,
  FailedPrecondition: FailedPreconditionError,
  Unavailable: UnavailableError,
  Internal: InternalError,
} as const satisfies Record<ErrorKind, ErrorClass>);

/** The LedgeError subclass of a kind (`InvalidArgument` → InvalidArgumentError, ...). */
export type KindError<K extends ErrorKind> = InstanceType<(typeof kindClasses)[K]>;

/** What `defineErrors` returns: the codes (KEY → code) and a constructor of each error. */
export interface ErrorTable<D extends Readonly<Record<string, ErrorDef>>> {
  /** KEY → code, frozen; `(typeof T.codes)[keyof typeof T.codes]` is the union of the codes. */
  readonly codes: { readonly [K in keyof D]: D[K]['code'] };
  /** The definitions themselves, frozen. */
  readonly defs: D;
  /**
   * The error of `key`: its template filled from `values` (as formatMessage: a placeholder without a value
   * stays as it is), built as the class of its kind. `options` are passed on (cause, details).
   */
  create<K extends keyof D & string>(key: K, values: TemplateValues<D[K]['message']>, options?: LedgeErrorOptions): KindError<D[K]['kind']>;
}

/**
 * One table of a library's errors, one entry each, with its `/** meaning *\/` above it (the doc comment,
 * the KEY, `code`, `kind` and `message` are what tools/errors-doc.mjs puts into docs/errors.md):
 *
 *     const StoreErrors = defineErrors({
 *       /** The store was used after close()/destroy(). *\/
 *       CLOSED: { code: 'LEDGE_STORE_CLOSED', kind: 'FailedPrecondition', message: '{what} is closed' },
 *     });
 *     export const StoreErrorCodes = StoreErrors.codes;
 *     StoreErrors.create('CLOSED', { what: 'store' }); // FailedPreconditionError
 *
 * A code that is not `LEDGE_[A-Z0-9_]+`, an unknown kind or a code given twice throws at load.
 */
export function defineErrors<const D extends Readonly<Record<string, ErrorDef>>>(defs: D): ErrorTable<D> {
  const seen = new Set<string>();
  const codes: Record<string, string> = {};
  const frozen: Record<string, ErrorDef> = {};
  for (const [key, def] of Object.entries(defs)) {
    if (!/^LEDGE_[A-Z0-9_]+$/.test(def.code)) throw new Error(`defineErrors: ${key} has code '${def.code}', not LEDGE_[A-Z0-9_]+`);
    if (!Object.hasOwn(kindClasses, def.kind)) throw new Error(`defineErrors: ${key} has an unknown kind '${def.kind}'`);
    if (seen.has(def.code)) throw new Error(`defineErrors: code ${def.code} is defined twice`);
    seen.add(def.code);
    codes[key] = def.code;
    frozen[key] = Object.freeze({ code: def.code, kind: def.kind, message: def.message });
  }
  const table: ErrorTable<D> = {
    codes: Object.freeze(codes) as ErrorTable<D>['codes'],
    defs: Object.freeze(frozen) as D,
    create(key, values, options) {
      const def = Object.hasOwn(frozen, key) ? frozen[key] : undefined;
      if (def === undefined) throw new Error(`defineErrors: no error ${String(key)}`);
      const Kind: ErrorClass = kindClasses[def.kind];
      return new Kind(def.code, formatMessage(def.message, values), options) as KindError<(typeof defs)[typeof key]['kind']>;
    },
  };
  return Object.freeze(table);
}

const UtilErrors = defineErrors({
  /** A config value (file, env or flag) is wrong, or a config file named explicitly cannot be read; the app exits with code 2. */
  CONFIG_INVALID: { code: 'LEDGE_CONFIG_INVALID', kind: 'InvalidArgument', message: '{message}' },
});

/** Error codes of this library. */
export const UtilErrorCodes = UtilErrors.codes;
