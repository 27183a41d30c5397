// Original file: null


export interface TaskExecAdded {
  'container_id'?: (string);
  'exec_id'?: (string);
}

export interface TaskExecAdded__Output {
  'container_id': (string);
  'exec_id': (string);
}
