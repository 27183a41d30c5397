// Original file: null

export const Kind = {
  ACTIVE: 'ACTIVE',
  COMMITTED: 'COMMITTED',
  UNKNOWN: 'UNKNOWN',
  VIEW: 'VIEW',
} as const;

export type Kind =
  | 'ACTIVE'
  | 2
  | 'COMMITTED'
  | 3
  | 'UNKNOWN'
  | 0
  | 'VIEW'
  | 1

export type Kind__Output = typeof Kind[keyof typeof Kind]
