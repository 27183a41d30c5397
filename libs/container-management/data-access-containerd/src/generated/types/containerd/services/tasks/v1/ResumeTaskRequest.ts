// Original file: null


export interface ResumeTaskRequest {
  'container_id'?: (string);
}

export interface ResumeTaskRequest__Output {
  'container_id': (string);
}
