// Image pull (after containerd's client: lease → resolve → fetch content → unpack → image record) and
// lookups of pulled images for container creation.
import { createHash, randomUUID } from 'node:crypto';
import type { ImageInfo, PullOptions, PullProgress } from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import type { ContainerdClient } from './client';
import type { Descriptor__Output } from './generated/types/containerd/types/Descriptor';
import { chainIds, hasBlob, type BlobSource, readBlob, snapshotExists, unpackLayers, writeBlob, SNAPSHOTTER } from './content';
import { ctrdError, CtrdErrorCodes, isNotFound } from './errors';
import { parsePlatform, parseReference, platformMatches, type Platform } from './reference';
import type { Descriptor, RegistryClient } from './registry';
import { MediaTypes } from './registry';

export interface ImageConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, unknown>;
}

export interface LocalImage {
  info: ImageInfo;
  config: ImageConfig;
  /** Chain ID of the top layer: the parent of a container's rootfs snapshot. */
  chainId: string;
}

const leasesInUse = new Set<string>();

/**
 * Runs `fn` under a lease (expiring after 24 h whatever happens). With `resumable`, the lease has that
 * fixed id and survives a failure: what a failed pull wrote (partial ingests, blobs) stays out of
 * containerd's GC until the next pull of the same image takes the lease over and resumes from it. Deleted
 * when `fn` succeeds.
 */
export async function withLease<T>(client: ContainerdClient, fn: (lease: string) => Promise<T>, opts: { resumable?: string } = {}): Promise<T> {
  // A second pull of the same image while the first runs gets a lease of its own: the first one's
  // success deletes the shared id.
  const resumable = opts.resumable !== undefined && !leasesInUse.has(opts.resumable) ? opts.resumable : undefined;
  const id = resumable ?? `ledge-${randomUUID()}`;
  if (resumable !== undefined) leasesInUse.add(resumable);
  const expire = new Date(Date.now() + 24 * 3600_000).toISOString();
  try {
    await client.unary('leases', 'Create', { id, labels: { 'containerd.io/gc.expire': expire } });
  } catch (err) {
    if (!(resumable !== undefined && (err as { kind?: string }).kind === 'AlreadyExists')) {
      if (resumable !== undefined) leasesInUse.delete(resumable);
      throw err;
    }
  }
  let ok = false;
  try {
    const r = await fn(id);
    ok = true;
    return r;
  } finally {
    if (resumable !== undefined) leasesInUse.delete(resumable);
    if (ok || resumable === undefined) await client.unary('leases', 'Delete', { id, sync: false }).catch(() => undefined);
  }
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function parseConfig(bytes: Buffer, ref: string): { config: ImageConfig; diffIds: string[] } {
  try {
    const j = JSON.parse(bytes.toString()) as { config?: ImageConfig; rootfs?: { diff_ids?: string[] } };
    return { config: j.config ?? {}, diffIds: j.rootfs?.diff_ids ?? [] };
  } catch (err) {
    throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref, detail: 'image config is not JSON' }, err);
  }
}

/** The selected manifest's position in its index: the GC label key, so every pulled platform keeps its own. */
function manifestPosition(indexBytes: Buffer, digest: string): number {
  try {
    const i = ((JSON.parse(indexBytes.toString()) as { manifests?: { digest?: string }[] }).manifests ?? []).findIndex((m) => m.digest === digest);
    return i < 0 ? 0 : i;
  } catch {
    return 0; // not JSON: the registry client already rejected such an index
  }
}

export async function pullImage(
  deps: { client: ContainerdClient; registry: RegistryClient; logger: Logger },
  refText: string,
  options: PullOptions = {},
): Promise<ImageInfo> {
  const { client, registry, logger } = deps;
  const ref = parseReference(refText);
  const platform = parsePlatform(options.platform);
  const signal = options.signal;
  const resolved = await registry.resolve(ref, platform, signal);
  const configBytes = await registry.fetchBlobBytes(ref, resolved.config.digest, signal);
  if (sha256(configBytes) !== resolved.config.digest)
    throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref: ref.name, detail: 'config digest mismatch' });
  const { diffIds } = parseConfig(configBytes, ref.name);
  const chains = chainIds(diffIds);
  const layers = resolved.layers.map((l) => ({ digest: l.digest, size: l.size, done: 0 }));
  const size = resolved.layers.reduce((n, l) => n + l.size, 0);
  const progress: PullProgress = { ref: ref.name, totalBytes: size + resolved.config.size, doneBytes: 0, layers };
  let lastReport = 0;
  const report = (force = false) => {
    if (!options.onProgress) return;
    const now = Date.now();
    if (!force && now - lastReport < 100) return;
    lastReport = now;
    progress.doneBytes = layers.reduce((n, l) => n + l.done, 0) + (progress.doneBytes >= size ? resolved.config.size : 0);
    options.onProgress({ ...progress, layers: layers.map((l) => ({ ...l })) });
  };
  const fromMemory = (bytes: Buffer): BlobSource => ({ open: async () => ({ body: [bytes], offset: 0 }) });

  // One lease per image and platform, kept if the pull fails, so the next pull resumes what this one wrote.
  const leaseId = `ledge-pull-${sha256(Buffer.from(`${refText}|${options.platform ?? ''}`)).slice(7, 23)}`;
  await withLease(client, async (lease) => {
    const put = async (desc: Descriptor, source: Parameters<typeof writeBlob>[2], labels: Record<string, string>, onBytes?: (n: number) => void) => {
      if (await hasBlob(client, desc.digest)) {
        onBytes?.(desc.size);
        // Already there (another platform of the same index, a shared layer): merge our GC references
        // into its labels, or containerd's GC collects what only this pull references once the lease ends.
        const keys = Object.keys(labels);
        if (keys.length > 0) await client.unary('content', 'Update', { info: { digest: desc.digest, labels }, update_mask: { paths: keys.map((k) => `labels.${k}`) } });
        return;
      }
      await writeBlob(client, desc, source, { lease, labels, onBytes, signal });
    };
    for (let i = 0; i < resolved.layers.length; i++) {
      const l = resolved.layers[i]!;
      await put(
        l,
        { open: (offset) => registry.fetchBlob(ref, l.digest, offset, signal) },
        diffIds[i] ? { 'containerd.io/uncompressed': diffIds[i]! } : {},
        (n) => {
          layers[i]!.done = n;
          report();
        },
      );
    }
    const top = chains[chains.length - 1];
    await put(resolved.config, fromMemory(configBytes), top ? { [`containerd.io/gc.ref.snapshot.${SNAPSHOTTER}`]: top } : {});
    const mLabels: Record<string, string> = { 'containerd.io/gc.ref.content.config': resolved.config.digest };
    resolved.layers.forEach((l, i) => (mLabels[`containerd.io/gc.ref.content.l.${i}`] = l.digest));
    await put(resolved.manifest, fromMemory(resolved.manifestBytes), mLabels);
    if (resolved.top.digest !== resolved.manifest.digest)
      await put(resolved.top, fromMemory(resolved.topBytes), { [`containerd.io/gc.ref.content.m.${manifestPosition(resolved.topBytes, resolved.manifest.digest)}`]: resolved.manifest.digest });
    await unpackLayers(client, resolved.layers, diffIds, lease);
    const image = { name: ref.name, labels: {}, target: { media_type: resolved.top.mediaType, digest: resolved.top.digest, size: resolved.top.size, annotations: {} } };
    try {
      await client.unary('images', 'Create', { image }, { lease });
    } catch (err) {
      if (!(err instanceof Error && (err as { kind?: string }).kind === 'AlreadyExists')) throw err;
      await client.unary('images', 'Update', { image }, { lease });
    }
  }, { resumable: leaseId });
  progress.doneBytes = progress.totalBytes;
  for (const l of layers) l.done = l.size;
  options.onProgress?.({ ...progress, layers: layers.map((l) => ({ ...l })) });
  logger.info({ ref: ref.name, digest: resolved.manifest.digest, size }, 'image pulled');
  return { ref: ref.name, digest: resolved.manifest.digest, size };
}

/** The pulled and unpacked image for the platform, or undefined. */
export async function loadImage(client: ContainerdClient, refText: string, platform: Platform = parsePlatform(undefined)): Promise<LocalImage | undefined> {
  const ref = parseReference(refText);
  let target: Descriptor__Output;
  try {
    // Images.Get sets image on success, and Image.target is `(gogoproto.nullable) = false` (an option
    // the descriptor drops): neither is null.
    target = (await client.unary('images', 'Get', { name: ref.name })).image!.target!;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  try {
    let manifestDesc = { digest: target.digest, size: target.size };
    let bytes = await readBlob(client, target.digest);
    if (target.media_type === MediaTypes.ociIndex || target.media_type === MediaTypes.dockerList) {
      const index = JSON.parse(bytes.toString()) as { manifests?: Descriptor[] };
      const entry = (index.manifests ?? []).find((m) => platformMatches(platform, m.platform));
      if (!entry) return undefined;
      manifestDesc = { digest: entry.digest, size: entry.size };
      bytes = await readBlob(client, entry.digest);
    }
    const manifest = JSON.parse(bytes.toString()) as { config: Descriptor; layers: Descriptor[] };
    const { config, diffIds } = parseConfig(await readBlob(client, manifest.config.digest), ref.name);
    const chainId = chainIds(diffIds).at(-1) ?? '';
    if (chainId && !(await snapshotExists(client, chainId))) return undefined;
    const size = manifest.layers.reduce((n, l) => n + l.size, 0);
    return { info: { ref: ref.name, digest: manifestDesc.digest, size }, config, chainId };
  } catch (err) {
    // Image record without its content (e.g. pruned): not present.
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
