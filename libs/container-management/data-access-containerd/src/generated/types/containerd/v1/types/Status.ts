// Original file: null

export const Status = {
  CREATED: 'CREATED',
  PAUSED: 'PAUSED',
  PAUSING: 'PAUSING',
  RUNNING: 'RUNNING',
  STOPPED: 'STOPPED',
  UNKNOWN: 'UNKNOWN',
} as const;

export type Status =
  | 'CREATED'
  | 1
  | 'PAUSED'
  | 4
  | 'PAUSING'
  | 5
  | 'RUNNING'
  | 2
  | 'STOPPED'
  | 3
  | 'UNKNOWN'
  | 0

export type Status__Output = typeof Status[keyof typeof Status]
