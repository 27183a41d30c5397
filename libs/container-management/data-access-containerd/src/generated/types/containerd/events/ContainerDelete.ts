// Original file: null


export interface ContainerDelete {
  'id'?: (string);
}

export interface ContainerDelete__Output {
  'id': (string);
}
