// Containers SoftwareUpdatable (§4.5, hawkBit model, softwareModuleType `oci:container`): `install`
// carries one container descriptor artifact per software module, `remove` names container IDs.
import type { Parsed } from './ditto-config';
import { FieldReader } from './reader';

export const CONTAINERS_SOFTWARE_MODULE_TYPE = 'oci:container';

export interface SuChecksums {
  SHA256?: string;
  SHA1?: string;
  MD5?: string;
}

export interface SuArtifact {
  filename: string;
  url: string;
  checksums: SuChecksums;
  size?: number;
}

export interface SuModule {
  name: string;
  version: string;
  artifacts: SuArtifact[];
}

export interface SuInstall {
  correlationId: string;
  forced: boolean;
  modules: SuModule[];
}

export interface SuRemove {
  correlationId: string;
  forced: boolean;
  ids: string[];
}

const HEX: Record<keyof SuChecksums, RegExp> = { SHA256: /^[0-9a-fA-F]{64}$/, SHA1: /^[0-9a-fA-F]{40}$/, MD5: /^[0-9a-fA-F]{32}$/ };

function correlationOf(r: FieldReader, v: Record<string, unknown>): string {
  // Go decodes JSON keys case-insensitively: correlationId and correlationID both arrive.
  const key = Object.keys(v).find((k) => k.toLowerCase() === 'correlationid');
  return (key === undefined ? undefined : r.string(v[key], 'correlationId')) ?? '';
}

export function parseSuInstall(value: unknown): Parsed<SuInstall> {
  const r = new FieldReader();
  const v = r.object(value, 'value');
  if (v === undefined) {
    if (r.problems.length === 0) r.problem('value', 'must be an object with softwareModules');
    return { ok: false, problems: r.problems };
  }
  const correlationId = correlationOf(r, v);
  const forced = r.boolean(v['forced'], 'forced') ?? false;
  const list = r.array(v['softwareModules'], 'softwareModules');
  if (list === undefined || list.length === 0) {
    if (r.problems.length === 0) r.problem('softwareModules', 'must name at least one software module');
    return { ok: false, problems: r.problems };
  }
  const modules: SuModule[] = [];
  list.forEach((m, i) => {
    const at = `softwareModules[${i}]`;
    const o = r.object(m, at);
    if (!o) return;
    const id = r.object(o['softwareModule'], `${at}.softwareModule`);
    const name = id ? r.string(id['name'], `${at}.softwareModule.name`) : undefined;
    const version = id ? r.string(id['version'], `${at}.softwareModule.version`) : undefined;
    if (!name) r.problem(`${at}.softwareModule.name`, 'is required');
    const arts = r.array(o['artifacts'], `${at}.artifacts`) ?? [];
    if (arts.length !== 1) r.problem(`${at}.artifacts`, 'must hold exactly one container descriptor artifact');
    const artifacts: SuArtifact[] = [];
    arts.forEach((a, j) => {
      const aat = `${at}.artifacts[${j}]`;
      const ao = r.object(a, aat);
      if (!ao) return;
      const download = r.object(ao['download'], `${aat}.download`);
      const link = download ? r.object(download['HTTPS'] ?? download['HTTP'], `${aat}.download.HTTPS`) : undefined;
      const url = link ? r.string(link['url'], `${aat}.download.HTTPS.url`) : undefined;
      if (!url || !/^https?:\/\//.test(url)) {
        r.problem(`${aat}.download`, 'needs an HTTPS (or HTTP) url');
        return;
      }
      const cs = r.object(ao['checksums'], `${aat}.checksums`) ?? {};
      const checksums: SuChecksums = {};
      for (const k of ['SHA256', 'SHA1', 'MD5'] as const) {
        const c = r.string(cs[k], `${aat}.checksums.${k}`);
        if (c === undefined || c === '') continue;
        if (!HEX[k].test(c)) r.problem(`${aat}.checksums.${k}`, 'is not a hex digest of the right length');
        else checksums[k] = c.toLowerCase();
      }
      if (Object.keys(checksums).length === 0) r.problem(`${aat}.checksums`, 'needs SHA256, SHA1 or MD5');
      const size = r.integer(ao['size'], `${aat}.size`, 0);
      artifacts.push({ filename: r.string(ao['filename'], `${aat}.filename`) ?? '', url, checksums, ...(size !== undefined ? { size } : {}) });
    });
    if (name) modules.push({ name, version: version ?? '', artifacts });
  });
  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, value: { correlationId, forced, modules } };
}

export function parseSuRemove(value: unknown): Parsed<SuRemove> {
  const r = new FieldReader();
  const v = r.object(value, 'value');
  if (v === undefined) {
    if (r.problems.length === 0) r.problem('value', 'must be an object with software');
    return { ok: false, problems: r.problems };
  }
  const correlationId = correlationOf(r, v);
  const forced = r.boolean(v['forced'], 'forced') ?? false;
  const list = r.array(v['software'], 'software') ?? [];
  if (list.length === 0 && r.problems.length === 0) r.problem('software', 'must name at least one container');
  const ids: string[] = [];
  list.forEach((s, i) => {
    const o = r.object(s, `software[${i}]`);
    const name = o ? r.string(o['name'], `software[${i}].name`) : undefined;
    if (!name) r.problem(`software[${i}].name`, 'is required');
    else ids.push(name);
  });
  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, value: { correlationId, forced, ids } };
}

/** `docker.io/library/influxdb:1.8.4` → group `docker.io/library/influxdb`, version `1.8.4` (default `latest`). */
export function splitImageRef(imageRef: string): { group: string; version: string } {
  const noDigest = imageRef.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon > slash) return { group: noDigest.slice(0, colon), version: noDigest.slice(colon + 1) };
  return { group: noDigest, version: 'latest' };
}

export interface InstalledDependency {
  group: string;
  name: string;
  version: string;
}

/** The installedDependencies entry of a container: key `<group>.<id>:<version>` with `/` as %2F (§4.5). */
export function installedDependency(containerId: string, imageRef: string): { key: string; value: InstalledDependency } {
  const { group, version } = splitImageRef(imageRef);
  return { key: `${group}.${containerId}:${version}`.replace(/\//g, '%2F'), value: { group, name: containerId, version } };
}
