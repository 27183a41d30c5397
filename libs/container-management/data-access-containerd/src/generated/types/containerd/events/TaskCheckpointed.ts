// Original file: null


export interface TaskCheckpointed {
  'container_id'?: (string);
  'checkpoint'?: (string);
}

export interface TaskCheckpointed__Output {
  'container_id': (string);
  'checkpoint': (string);
}
