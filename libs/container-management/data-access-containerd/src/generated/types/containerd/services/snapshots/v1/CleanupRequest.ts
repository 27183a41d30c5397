// Original file: null


export interface CleanupRequest {
  'snapshotter'?: (string);
}

export interface CleanupRequest__Output {
  'snapshotter': (string);
}
