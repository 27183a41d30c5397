// The hawkBit update action carried by `install` and `download` (§5.2), parsed from untrusted JSON.
// Every problem is collected so the 400 response names them all. Ledge is stricter than Kanto where
// Kanto's leniency is a hazard: artifact file names must be plain names (no path traversal), URLs must
// be http(s), checksums must be hex of the right length.
import { isPlainObject } from '@ledge/shared/util-parse';
import type { SoftwareModuleId } from './status';

export type UpdateOperation = 'install' | 'download';
export type HashAlgorithm = 'sha256' | 'sha1' | 'md5';
export type ArtifactType = 'archive' | 'plain';

export interface ArtifactLink {
  readonly url: string;
  readonly md5url?: string;
}

export interface Checksums {
  readonly SHA256?: string;
  readonly SHA1?: string;
  readonly MD5?: string;
}

export interface Artifact {
  readonly filename: string;
  /** Declared size in bytes, when the request gives one. */
  readonly size?: number;
  /** Protocol (`HTTP`, `HTTPS`, `FILE`, …) → link, as sent. */
  readonly download: Readonly<Record<string, ArtifactLink>>;
  readonly checksums: Checksums;
}

export interface SoftwareModuleAction {
  readonly softwareModule: SoftwareModuleId;
  /** Per-module metadata: JSON key `metaData` (capital D, §5.2). */
  readonly metaData: Readonly<Record<string, string>>;
  readonly artifacts: readonly Artifact[];
}

export interface UpdateAction {
  readonly correlationId: string;
  readonly weight?: number;
  readonly forced?: boolean;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly softwareModules: readonly SoftwareModuleAction[];
}

export type UpdateActionParseResult = { readonly ok: true; readonly action: UpdateAction } | { readonly ok: false; readonly problems: readonly string[] };

export const DOWNLOAD_PROTOCOLS = Object.freeze(['HTTP', 'HTTPS', 'FTP', 'SFTP', 'FILE'] as const);
/** The protocols Ledge fetches; FTP/SFTP links alone make a request invalid. */
export const SUPPORTED_PROTOCOLS = Object.freeze(['HTTPS', 'HTTP', 'FILE'] as const);

const HEX_LENGTH: Readonly<Record<keyof Checksums, number>> = { SHA256: 64, SHA1: 40, MD5: 32 };
const MAX_MODULES = 100;
const MAX_ARTIFACTS = 100;
const MAX_NAME = 255;

/** A file name that stays inside the module directory: no separators, not `.`/`..`, no control characters. */
export function isSafeFileName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME && name !== '.' && name !== '..' && !/[/\\\u0000-\u001f]/.test(name);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Go decodes JSON keys case-insensitively: `correlationId` and `correlationID` both arrive (§11). */
function correlationOf(value: Record<string, unknown>): unknown {
  for (const [k, v] of Object.entries(value)) if (k.toLowerCase() === 'correlationid' && v !== undefined) return v;
  return undefined;
}

function parseLink(v: unknown, at: string, problems: string[]): ArtifactLink | undefined {
  if (!isPlainObject(v)) {
    problems.push(`${at} must be an object with a url`);
    return undefined;
  }
  const url = str(v['url']);
  if (url === undefined || url === '') {
    problems.push(`${at}.url must be a non-empty string`);
    return undefined;
  }
  const md5url = str(v['md5url']);
  return md5url ? { url, md5url } : { url };
}

function checkUrl(protocol: string, url: string, at: string, problems: string[]): void {
  if (protocol === 'FILE') {
    if (!url.startsWith('/') && !url.startsWith('file:')) problems.push(`${at}.url must be an absolute path or file: URL`);
    return;
  }
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.push(`${at}.url is not a valid URL`);
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.push(`${at}.url must be http: or https:`);
}

function parseArtifact(v: unknown, at: string, problems: string[]): Artifact | undefined {
  if (!isPlainObject(v)) {
    problems.push(`${at} must be an object`);
    return undefined;
  }
  const before = problems.length;
  const filename = str(v['filename']);
  if (filename === undefined || !isSafeFileName(filename)) problems.push(`${at}.filename must be a plain file name (no '/', '..' or control characters)`);
  let size: number | undefined;
  if (v['size'] !== undefined) {
    const s = v['size'];
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) problems.push(`${at}.size must be a non-negative integer`);
    else size = s;
  }
  const download: Record<string, ArtifactLink> = {};
  if (!isPlainObject(v['download'])) {
    problems.push(`${at}.download must be an object keyed by protocol (HTTP, HTTPS, FILE)`);
  } else {
    for (const [protocol, link] of Object.entries(v['download'])) {
      if (!(DOWNLOAD_PROTOCOLS as readonly string[]).includes(protocol)) {
        problems.push(`${at}.download.${protocol} is not a known protocol (${DOWNLOAD_PROTOCOLS.join(', ')})`);
        continue;
      }
      const parsed = parseLink(link, `${at}.download.${protocol}`, problems);
      if (parsed === undefined) continue;
      checkUrl(protocol, parsed.url, `${at}.download.${protocol}`, problems);
      download[protocol] = parsed;
    }
    if (!SUPPORTED_PROTOCOLS.some((p) => p in download) && problems.length === before) problems.push(`${at}.download has no HTTP, HTTPS or FILE link`);
  }
  const checksums: { -readonly [K in keyof Checksums]: string } = {};
  if (!isPlainObject(v['checksums'])) {
    problems.push(`${at}.checksums must be an object with SHA256, SHA1 or MD5`);
  } else {
    for (const [k, h] of Object.entries(v['checksums'])) {
      if (!(k in HEX_LENGTH)) continue; // hawkBit may add others; they are not used
      const key = k as keyof Checksums;
      if (typeof h !== 'string' || !new RegExp(`^[0-9a-fA-F]{${HEX_LENGTH[key]}}$`).test(h)) problems.push(`${at}.checksums.${k} must be ${HEX_LENGTH[key]} hex digits`);
      else checksums[key] = h.toLowerCase();
    }
    if (Object.keys(checksums).length === 0 && problems.length === before) problems.push(`${at}.checksums needs SHA256, SHA1 or MD5`);
  }
  if (problems.length > before) return undefined;
  return { filename: filename!, ...(size !== undefined ? { size } : {}), download, checksums };
}

function parseModule(v: unknown, at: string, problems: string[]): SoftwareModuleAction | undefined {
  if (!isPlainObject(v)) {
    problems.push(`${at} must be an object`);
    return undefined;
  }
  const before = problems.length;
  const sm = v['softwareModule'];
  let id: SoftwareModuleId | undefined;
  if (!isPlainObject(sm)) problems.push(`${at}.softwareModule must be an object with name and version`);
  else {
    const name = str(sm['name']);
    const version = str(sm['version']);
    if (!name) problems.push(`${at}.softwareModule.name must be a non-empty string`);
    if (version === undefined) problems.push(`${at}.softwareModule.version must be a string`);
    if (name && version !== undefined) id = { name, version };
  }
  const metaData: Record<string, string> = {};
  const md = v['metaData'] ?? v['metadata'];
  if (md !== undefined && md !== null) {
    if (!isPlainObject(md)) problems.push(`${at}.metaData must be an object`);
    else for (const [k, x] of Object.entries(md)) metaData[k] = typeof x === 'string' ? x : JSON.stringify(x);
  }
  const artifacts: Artifact[] = [];
  const list = v['artifacts'];
  if (!Array.isArray(list) || list.length === 0) problems.push(`${at}.artifacts must be a non-empty array`);
  else if (list.length > MAX_ARTIFACTS) problems.push(`${at}.artifacts has more than ${MAX_ARTIFACTS} entries`);
  else {
    list.forEach((a, i) => {
      const parsed = parseArtifact(a, `${at}.artifacts[${i}]`, problems);
      if (parsed) artifacts.push(parsed);
    });
    const names = artifacts.map((a) => a.filename);
    if (new Set(names).size !== names.length) problems.push(`${at}.artifacts have duplicate file names`);
  }
  const type = metaData['artifact-type'];
  if (type !== undefined && type !== 'archive' && type !== 'plain') problems.push(`${at}.metaData.artifact-type must be archive or plain`);
  if (metaData['installed-deps'] !== undefined && !isSafeFileName(metaData['installed-deps'])) problems.push(`${at}.metaData.installed-deps must be a plain directory name`);
  if (metaData['AES256.key'] !== undefined) problems.push(`${at}: encrypted artifacts (AES256.key) are not supported`);
  if (problems.length > before || id === undefined) return undefined;
  return { softwareModule: id, metaData, artifacts };
}

/** Parses the `value` of an install/download live message. */
export function parseUpdateAction(value: unknown): UpdateActionParseResult {
  const problems: string[] = [];
  if (!isPlainObject(value)) return { ok: false, problems: ['value must be a JSON object with softwareModules'] };
  const cid = correlationOf(value);
  if (cid !== undefined && typeof cid !== 'string') problems.push('correlationId must be a string');
  const weight = value['weight'];
  if (weight !== undefined && (typeof weight !== 'number' || !Number.isFinite(weight))) problems.push('weight must be a number');
  const forced = value['forced'];
  if (forced !== undefined && typeof forced !== 'boolean') problems.push('forced must be a boolean');
  const metadata = value['metadata'];
  if (metadata !== undefined && metadata !== null && !isPlainObject(metadata)) problems.push('metadata must be an object');
  const modules: SoftwareModuleAction[] = [];
  const list = value['softwareModules'];
  if (!Array.isArray(list) || list.length === 0) problems.push('softwareModules must be a non-empty array');
  else if (list.length > MAX_MODULES) problems.push(`softwareModules has more than ${MAX_MODULES} entries`);
  else
    list.forEach((m, i) => {
      const parsed = parseModule(m, `softwareModules[${i}]`, problems);
      if (parsed) modules.push(parsed);
    });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    action: {
      correlationId: typeof cid === 'string' ? cid : '',
      ...(typeof weight === 'number' ? { weight } : {}),
      ...(typeof forced === 'boolean' ? { forced } : {}),
      metadata: isPlainObject(metadata) ? metadata : {},
      softwareModules: modules,
    },
  };
}

/** The artifact type of a module: its `artifact-type` metadata, else the configured default. */
export function artifactTypeOf(module: SoftwareModuleAction, fallback: ArtifactType): ArtifactType {
  const t = module.metaData['artifact-type'];
  return t === 'archive' || t === 'plain' ? t : fallback;
}

/** The preferred link of an artifact: HTTPS, then HTTP, then FILE. */
export function selectLink(artifact: Artifact): { protocol: 'HTTPS' | 'HTTP' | 'FILE'; link: ArtifactLink } | undefined {
  for (const protocol of SUPPORTED_PROTOCOLS) {
    const link = artifact.download[protocol];
    if (link !== undefined) return { protocol, link };
  }
  return undefined;
}

/** SHA-256 over SHA-1 over MD5 (§5.2). */
export function selectChecksum(checksums: Checksums): { algorithm: HashAlgorithm; expected: string } | undefined {
  if (checksums.SHA256) return { algorithm: 'sha256', expected: checksums.SHA256.toLowerCase() };
  if (checksums.SHA1) return { algorithm: 'sha1', expected: checksums.SHA1.toLowerCase() };
  if (checksums.MD5) return { algorithm: 'md5', expected: checksums.MD5.toLowerCase() };
  return undefined;
}
