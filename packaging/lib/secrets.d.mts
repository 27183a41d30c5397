// Types of secrets.mjs for the TypeScript tests (packaging/*.spec.ts, test-e2e/).
export const SECRETS_DIR: string;
export const BROKER_PASSWD: string;
export const PASSWORD_LENGTH: number;
export const PASSWORD_MIN: number;

export interface LocalBusAccount {
  app: string;
  /** ledge-<app> */
  account: string;
  /** User= of the app's unit: owns the password file */
  user: string;
  /** /etc/ledge/secrets/<app>.password */
  passwordFile: string;
}

export function accountOf(app: string): string;
export function passwordFileOf(app: string): string;
export function unitUser(unitText: string): string;
export function unitGroup(unitText: string): string;
export function localBusAccounts(options: { appsDir: string }): LocalBusAccount[];
export const ID_HELPER: string;
export function secretsFunction(accounts: readonly { app: string; user: string }[]): string;
export const CONFIG_MODE_FUNCTION: string;
export function secretsScript(accounts: readonly { app: string; user: string }[]): string;
