// Types of apps.mjs for the TypeScript tests (packaging/*.spec.ts, test-e2e/).
export const NODE_MIN: string;

export interface AppPackage {
  app: string;
  pkg: string;
  bin: string;
  bundle: string;
  unitName: string;
  unitSource: string;
  configSource: string;
  hasConfig: boolean;
  enable: boolean;
  inMeta: boolean;
  summary: string;
  description: string;
  depends: string[];
}

export interface PackagingMeta {
  maintainer: string;
  source: string;
  section: string;
  homepage: string;
  apps: Record<string, Partial<{ package: string; bin: string; unit: string; enable: boolean; meta: boolean; summary: string; description: string; depends: string[] }>>;
}

export function readMeta(root: string): PackagingMeta;
export function readVersion(root: string): string;
export function discoverApps(options: { root: string; distDir?: string; appsDir?: string; only?: string[] }): AppPackage[];
export function stubConfig(a: AppPackage): string;
