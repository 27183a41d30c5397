// Original file: null

export const WriteAction = {
  COMMIT: 'COMMIT',
  STAT: 'STAT',
  WRITE: 'WRITE',
} as const;

export type WriteAction =
  | 'COMMIT'
  | 2
  | 'STAT'
  | 0
  | 'WRITE'
  | 1

export type WriteAction__Output = typeof WriteAction[keyof typeof WriteAction]
