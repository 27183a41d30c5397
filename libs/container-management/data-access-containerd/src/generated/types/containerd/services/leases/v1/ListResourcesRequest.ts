// Original file: null


export interface ListResourcesRequest {
  'id'?: (string);
}

export interface ListResourcesRequest__Output {
  'id': (string);
}
