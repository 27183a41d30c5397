// Against Azurite (the Azure Storage emulator) started as a child process on a free port.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Checkpoint, UploadSource } from '@ledge/file-upload/model-file-upload';
import { bufferSource, providerContract } from '@ledge/file-upload/model-file-upload/testing';
import { createAzureBlobUploadProvider } from './azure-upload';
import { startAzurite as azurite } from './testing';

const PART = 64 * 1024;

providerContract('azure (Blob, Azurite)', async (t) => {
  const a = await azurite(t);
  const provider = createAzureBlobUploadProvider();
  t.after(() => provider.close());
  // the provider names the blob after the source's base name ('/mem/file.bin' in the contract)
  return { provider, options: a.options, read: async () => a.read('file.bin'), required: ['azure.storage.endpoint', 'azure.shared.access.signature', 'azure.blob.container'], partSize: PART };
});

function memoryCheckpoint(): Checkpoint & { value: unknown } {
  return {
    value: undefined,
    async load() {
      return this.value;
    },
    async save(v) {
      this.value = JSON.parse(JSON.stringify(v));
    },
    async clear() {
      this.value = undefined;
    },
  };
}

function counting(src: UploadSource) {
  const c = { bytes: 0 };
  const s: UploadSource = {
    path: src.path,
    size: src.size,
    async *stream(a, b) {
      for await (const x of src.stream(a, b)) {
        c.bytes += x.length;
        yield x;
      }
    },
  };
  return { s, c };
}

describe('Azure Blob provider', () => {
  it('refuses a bad SAS with LEDGE_FU_AZURE_STATUS', async (t) => {
    const a = await azurite(t);
    const p = createAzureBlobUploadProvider();
    t.after(() => p.close());
    const bad = a.sas.replace(/sig=[^&]+/, 'sig=AAAA');
    await assert.rejects(
      p.upload({ source: bufferSource(Buffer.from('x'), '/var/tmp/x.log'), options: { ...a.options(), 'azure.shared.access.signature': bad }, signal: new AbortController().signal, onProgress: () => undefined }),
      (e: unknown) => (e as { code?: string }).code === 'LEDGE_FU_AZURE_STATUS' && /403/.test((e as Error).message),
    );
  });

  it('names the blob after the file and resumes uncommitted blocks after an interruption', async (t) => {
    const a = await azurite(t);
    const p = createAzureBlobUploadProvider();
    t.after(() => p.close());
    const data = randomBytes(PART * 5 + 100);
    const cp = memoryCheckpoint();
    const first = counting(bufferSource(data, '/var/tmp/big.log', 16 * 1024));
    const ac = new AbortController();
    await assert.rejects(p.upload({ source: first.s, options: a.options(), signal: ac.signal, checkpoint: cp, partSize: PART, onProgress: (b) => b >= PART * 3 + 1 && ac.abort(new Error('cut')) }));
    const second = counting(bufferSource(data, '/var/tmp/big.log', 16 * 1024));
    await p.upload({ source: second.s, options: a.options(), md5: undefined, signal: new AbortController().signal, checkpoint: cp, partSize: PART, onProgress: () => undefined });
    assert.ok((await a.read('big.log'))!.equals(data), 'blob identical');
    assert.ok(second.c.bytes <= data.length - PART * 3, `re-sent ${second.c.bytes} bytes, at most ${data.length - PART * 3} expected`);
  });
});
