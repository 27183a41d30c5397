// AutoUploadable's twin: the feature as registered on connect and the `lastUpload` / `autoUpload`
// properties (§6.2).
import { FeatureDefinitionLists } from '@ledge/shared/model-ditto';
import { toRfc3339 } from './time';

export const UploadStates = Object.freeze({
  PENDING: 'PENDING',
  UPLOADING: 'UPLOADING',
  PAUSED: 'PAUSED',
  SUCCESS: 'SUCCESS',
  FAILED: 'FAILED',
  CANCELED: 'CANCELED',
} as const);
export type UploadState = (typeof UploadStates)[keyof typeof UploadStates];

export const SUPPORTED_PROVIDERS = 'aws,azure,generic';
/** What `request` messages carry as `storage.providers` (Kanto's spelling, with spaces). */
export const REQUEST_PROVIDERS = 'aws, azure, generic';

export interface LastUpload {
  readonly correlationId: string;
  readonly state: UploadState;
  readonly startTime: string | null;
  readonly endTime: string | null;
  readonly statusCode: string;
  readonly message: string;
  readonly progress: number;
  readonly info: Readonly<Record<string, string>>;
}

export interface AutoUpload { readonly active: boolean; readonly startTime: string | null; readonly endTime: string | null }

export function autoUploadProperty(active: boolean, from: number | undefined, to: number | undefined): AutoUpload {
  return { active, startTime: from === undefined ? null : toRfc3339(from), endTime: to === undefined ? null : toRfc3339(to) };
}

export function buildFeature(props: { type: string; context: string; autoUpload: AutoUpload }): { definition: readonly string[]; properties: Record<string, unknown> } {
  return {
    definition: FeatureDefinitionLists.autoUploadable,
    properties: { type: props.type, context: props.context, info: { supportedProviders: SUPPORTED_PROVIDERS }, autoUpload: props.autoUpload },
  };
}

export function lastUpload(init: { correlationId: string; state: UploadState; startMs: number; endMs?: number | undefined; progress: number; statusCode?: string; message?: string; info?: Record<string, string> }): LastUpload {
  return {
    correlationId: init.correlationId,
    state: init.state,
    startTime: toRfc3339(init.startMs),
    endTime: init.endMs === undefined ? null : toRfc3339(init.endMs),
    statusCode: init.statusCode ?? '',
    message: init.message ?? '',
    progress: Math.max(0, Math.min(100, Math.floor(init.progress))),
    info: init.info ?? {},
  };
}

/** Percent of `sent` of `size` (an empty file is 100 % once done). */
export function percent(sent: number, size: number): number {
  if (size <= 0) return 100;
  return Math.min(100, Math.floor((sent * 100) / size));
}
