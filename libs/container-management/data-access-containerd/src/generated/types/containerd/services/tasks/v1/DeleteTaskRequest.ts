// Original file: null


export interface DeleteTaskRequest {
  'container_id'?: (string);
}

export interface DeleteTaskRequest__Output {
  'container_id': (string);
}
