// Original file: null


export interface PauseTaskRequest {
  'container_id'?: (string);
}

export interface PauseTaskRequest__Output {
  'container_id': (string);
}
