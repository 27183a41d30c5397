// containerd content store and snapshots: blob writes through the Content.Write stream (resuming a
// partial ingest), blob reads, and unpacking layers through Diff.Apply onto overlayfs snapshots.
import { createHash, randomUUID } from 'node:crypto';
import type { ContainerdClient, ResponseOf } from './client';
import { ctrdError, CtrdErrorCodes, fromGrpc, isNotFound } from './errors';

export const SNAPSHOTTER = 'overlayfs';

export interface BlobSource {
  /** Open the blob at offset; returns the offset the source actually starts at. */
  open(offset: number): Promise<{ body: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>; offset: number }>;
}

export async function hasBlob(client: ContainerdClient, digest: string): Promise<boolean> {
  try {
    await client.unary('content', 'Info', { digest });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Writes one blob; `onBytes` reports the bytes now in the store (including resumed ones). */
export async function writeBlob(
  client: ContainerdClient,
  desc: { digest: string; size: number },
  source: BlobSource,
  opts: { lease: string; labels?: Record<string, string>; onBytes?: (done: number) => void; signal?: AbortSignal },
): Promise<void> {
  await client.ready().catch((err: unknown) => Promise.reject(fromGrpc(err, 'content.Write')));
  const stream = client.duplex('content', 'Write', { lease: opts.lease });
  const ref = `ledge-${desc.digest}`;
  type WriteResponse = ResponseOf<'content', 'Write'>;
  const responses: WriteResponse[] = [];
  let waiter: ((m: WriteResponse | Error) => void) | undefined;
  let failure: Error | undefined;
  stream.on('data', (m: WriteResponse) => (waiter ? (waiter(m), (waiter = undefined)) : responses.push(m)));
  stream.on('error', (err: Error) => {
    failure = fromGrpc(err, 'content.Write');
    if (waiter) waiter(failure);
  });
  const next = (): Promise<WriteResponse> =>
    new Promise((resolve, reject) => {
      if (responses.length) return resolve(responses.shift()!);
      if (failure) return reject(failure);
      waiter = (m) => (m instanceof Error ? reject(m) : resolve(m));
    });
  const abort = () => stream.cancel();
  let pending = 0;
  opts.signal?.addEventListener('abort', abort, { once: true });
  try {
    stream.write({ action: 'STAT', ref, total: desc.size, expected: desc.digest });
    const stat = await next();
    let offset = stat.offset;
    // offset == size: the ingest (or the blob in another namespace) is complete; only commit.
    const src = offset >= desc.size ? { body: [], offset } : await source.open(offset);
    offset = src.offset;
    for await (const chunk of src.body) {
      if (opts.signal?.aborted) throw ctrdError(CtrdErrorCodes.ABORTED, { op: `write ${desc.digest}` });
      // The first write carries the start offset: containerd truncates a partial ingest to it.
      const ok = stream.write({ action: 'WRITE', ref, total: desc.size, expected: desc.digest, offset, data: Buffer.from(chunk) });
      offset += chunk.length;
      pending++;
      opts.onBytes?.(offset);
      if (!ok) await new Promise((r) => stream.once('drain', r));
      while (responses.length) {
        responses.shift();
        pending--;
      }
    }
    stream.write({ action: 'COMMIT', ref, total: desc.size, expected: desc.digest, offset, labels: opts.labels ?? {} });
    // One response per request: the last one answers the commit.
    for (let i = 0; i <= pending; i++) await next();
    stream.end();
  } catch (err) {
    // The source failed (registry, network) but the stream is healthy: let containerd persist what was
    // sent so the next pull resumes from there, then cancel.
    if (!failure && !opts.signal?.aborted) {
      const deadline = new Promise<void>((r) => setTimeout(r, 2000).unref());
      const drained = (async () => {
        for (; pending > 0; pending--) await next();
      })().catch(() => undefined);
      await Promise.race([drained, deadline]);
    }
    stream.cancel();
    if (opts.signal?.aborted) throw ctrdError(CtrdErrorCodes.ABORTED, { op: `write ${desc.digest}` }, err);
    throw fromGrpc(err, 'content.Write');
  } finally {
    opts.signal?.removeEventListener('abort', abort);
  }
}

export async function readBlob(client: ContainerdClient, digest: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  try {
    await client.ready();
    const stream = client.serverStream('content', 'Read', { digest, offset: 0, size: 0 });
    // A Readable iterates as `any`: name what the stream really yields.
    for await (const m of stream as AsyncIterable<ResponseOf<'content', 'Read'>>) parts.push(m.data);
  } catch (err) {
    throw fromGrpc(err, 'content.Read');
  }
  return Buffer.concat(parts);
}

/** chainID(n) = sha256(chainID(n-1) + " " + diffID(n)), chainID(0) = diffID(0) (OCI image spec). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev ? `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}` : d);
  }
  return out;
}

export async function snapshotExists(client: ContainerdClient, key: string): Promise<boolean> {
  try {
    await client.unary('snapshots', 'Stat', { snapshotter: SNAPSHOTTER, key });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Applies each layer not yet unpacked onto a snapshot committed under its chain ID. */
export async function unpackLayers(
  client: ContainerdClient,
  layers: readonly { mediaType: string; digest: string; size: number }[],
  diffIds: readonly string[],
  lease: string,
): Promise<string> {
  if (layers.length !== diffIds.length) throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref: '', detail: 'layer count differs from diff_ids' });
  const chains = chainIds(diffIds);
  for (let i = 0; i < layers.length; i++) {
    const chain = chains[i]!;
    if (await snapshotExists(client, chain)) continue;
    const key = `extract-${randomUUID()} ${chain}`;
    const parent = i > 0 ? chains[i - 1]! : '';
    const prepared = await client.unary('snapshots', 'Prepare', { snapshotter: SNAPSHOTTER, key, parent, labels: {} }, { lease });
    try {
      const layer = layers[i]!;
      const applied = await client.unary('diff', 'Apply', {
        diff: { media_type: layer.mediaType, digest: layer.digest, size: layer.size, annotations: {} },
        mounts: prepared.mounts,
        payloads: {},
      }, { lease });
      if (applied.applied?.digest !== diffIds[i])
        throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref: '', detail: `layer ${layer.digest} unpacked to ${applied.applied?.digest}, expected ${diffIds[i]}` });
      await client.unary('snapshots', 'Commit', { snapshotter: SNAPSHOTTER, name: chain, key, labels: {} }, { lease });
    } catch (err) {
      await client.unary('snapshots', 'Remove', { snapshotter: SNAPSHOTTER, key }, { lease }).catch(() => undefined);
      if (!(err instanceof Error && 'code' in err && (err as { code: string }).code === CtrdErrorCodes.ALREADY_EXISTS)) throw err;
    }
  }
  return chains[chains.length - 1] ?? '';
}
