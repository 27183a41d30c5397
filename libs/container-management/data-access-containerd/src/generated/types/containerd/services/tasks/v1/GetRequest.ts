// Original file: null


export interface GetRequest {
  'container_id'?: (string);
  'exec_id'?: (string);
}

export interface GetRequest__Output {
  'container_id': (string);
  'exec_id': (string);
}
