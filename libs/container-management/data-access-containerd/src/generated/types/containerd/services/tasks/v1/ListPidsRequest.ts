// Original file: null


export interface ListPidsRequest {
  'container_id'?: (string);
}

export interface ListPidsRequest__Output {
  'container_id': (string);
}
