// Original file: null


export interface CreateTaskResponse {
  'container_id'?: (string);
  'pid'?: (number);
}

export interface CreateTaskResponse__Output {
  'container_id': (string);
  'pid': (number);
}
