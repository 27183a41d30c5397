// Parsers of AutoUploadable's inbox operations (§6.2): untrusted Ditto message values → typed requests
// or a 400 (InvalidArgument, LEDGE_FU_PARAMETER_INVALID) naming the problem.
import { parameterInvalidError } from './errors';
import { parseTime } from './time';

export const AutoUploadableOperations = Object.freeze(['trigger', 'start', 'cancel', 'activate', 'deactivate'] as const);
export type AutoUploadableOperation = (typeof AutoUploadableOperations)[number];

export type UploadOptions = Readonly<Record<string, string>>;

export interface TriggerRequest { readonly correlationId: string | undefined; readonly options: UploadOptions }
export interface StartRequest { readonly correlationId: string; readonly options: UploadOptions }
export interface CancelRequest { readonly correlationId: string; readonly statusCode: string; readonly message: string }
export interface ActivateRequest { readonly from: number | undefined; readonly to: number | undefined }

function object(op: string, v: unknown, optional: boolean): Record<string, unknown> {
  if ((v === undefined || v === null) && optional) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw parameterInvalidError(`${op}: the value must be a JSON object`);
  return v as Record<string, unknown>;
}

function optString(op: string, o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw parameterInvalidError(`${op}: '${key}' must be a string`, { key });
  return v;
}

function reqString(op: string, o: Record<string, unknown>, key: string): string {
  const v = optString(op, o, key);
  if (v === undefined || v === '') throw parameterInvalidError(`${op}: '${key}' is required`, { key });
  return v;
}

/** Options are Go map[string]string in Kanto; numbers and booleans are accepted and written as strings. */
export function uploadOptionsOf(op: string, o: Record<string, unknown>): UploadOptions {
  const v = o['options'];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw parameterInvalidError(`${op}: 'options' must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
    else throw parameterInvalidError(`${op}: option '${k}' must be a string`, { option: k });
  }
  return out;
}

export function parseTrigger(value: unknown): TriggerRequest {
  const o = object('trigger', value, true);
  const cid = optString('trigger', o, 'correlationId');
  return { correlationId: cid === '' ? undefined : cid, options: uploadOptionsOf('trigger', o) };
}

export function parseStart(value: unknown): StartRequest {
  const o = object('start', value, false);
  return { correlationId: reqString('start', o, 'correlationId'), options: uploadOptionsOf('start', o) };
}

export function parseCancel(value: unknown): CancelRequest {
  const o = object('cancel', value, false);
  const code = o['statusCode'];
  if (code !== undefined && code !== null && typeof code !== 'string' && typeof code !== 'number') throw parameterInvalidError("cancel: 'statusCode' must be a string");
  return { correlationId: reqString('cancel', o, 'correlationId'), statusCode: code === undefined || code === null ? '' : String(code), message: optString('cancel', o, 'message') ?? '' };
}

function time(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  const ms = parseTime(v);
  if (ms === undefined) throw parameterInvalidError(`activate: '${key}' must be an RFC 3339 time or epoch number`, { key });
  return ms;
}

export function parseActivate(value: unknown): ActivateRequest {
  const o = object('activate', value, true);
  const from = time(o, 'from');
  const to = time(o, 'to');
  if (from !== undefined && to !== undefined && to < from) throw parameterInvalidError("activate: 'to' is before 'from'");
  return { from, to };
}

/** Trigger options `options.<k>` are copied into each request with the prefix stripped (§6.2). */
export function requestOptions(filePath: string, trigger: UploadOptions, providers: string): Record<string, string> {
  const out: Record<string, string> = { 'file.path': filePath, 'storage.providers': providers };
  for (const [k, v] of Object.entries(trigger)) if (k.startsWith('options.') && k.length > 8) out[k.slice(8)] = v;
  return out;
}

/** `info.<k>` start options become the status `info` (§6.2). */
export function infoOf(opts: UploadOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts)) if (k.startsWith('info.') && k.length > 5) out[k.slice(5)] = v;
  return out;
}
