// The contract every UploadProvider passes (STYLE.md: in-memory and real implementations run the same
// suite; aedes-persistence abstract.js): bytes arrive identical, progress is non-decreasing and ends at
// the size, empty files work, multipart sizes work, aborting stops with an error, options are validated.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { isLedgeError } from '@ledge/shared/util';
import type { UploadOptions } from '../operations';
import type { UploadProvider } from '../provider';
import { bufferSource } from './memory-provider';

export interface ContractFixture {
  readonly provider: UploadProvider;
  /** Valid options that upload to the object named `key`. */
  options(key: string): UploadOptions;
  /** The stored object, or undefined. */
  read(key: string): Promise<Buffer | undefined>;
  /** Option keys whose absence validate() must refuse. */
  readonly required: readonly string[];
  /** Part size to exercise multipart (omit when the provider has none). */
  readonly partSize?: number;
}

export function providerContract(name: string, setup: (t: TestContext) => Promise<ContractFixture>): void {
  describe(`UploadProvider contract: ${name}`, () => {
    it('uploads bytes identically with non-decreasing progress ending at the size', async (t) => {
      const f = await setup(t);
      const data = randomBytes(300_000);
      const progress: number[] = [];
      await f.provider.upload({ source: bufferSource(data), options: f.options('a/small.bin'), signal: new AbortController().signal, onProgress: (b) => progress.push(b), ...(f.partSize ? { partSize: f.partSize } : {}) });
      assert.deepEqual(await f.read('a/small.bin'), data);
      assert.ok(progress.length > 0);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! >= progress[i - 1]!, 'progress non-decreasing');
      assert.equal(progress.at(-1), data.length);
    });

    it('uploads an empty file', async (t) => {
      const f = await setup(t);
      await f.provider.upload({ source: bufferSource(Buffer.alloc(0)), options: f.options('empty.bin'), signal: new AbortController().signal, onProgress: () => undefined });
      assert.deepEqual(await f.read('empty.bin'), Buffer.alloc(0));
    });

    it('uploads a file larger than the part size (multipart when supported)', async (t) => {
      const f = await setup(t);
      const part = f.partSize ?? 1024 * 1024;
      const data = randomBytes(part * 2 + 12_345);
      await f.provider.upload({ source: bufferSource(data), options: f.options('big.bin'), signal: new AbortController().signal, onProgress: () => undefined, partSize: part });
      const got = await f.read('big.bin');
      assert.ok(got !== undefined && got.equals(data), 'large object identical');
    });

    it('stops with an error when aborted', async (t) => {
      const f = await setup(t);
      const ac = new AbortController();
      const data = randomBytes(2 * 1024 * 1024);
      ac.abort(new Error('stop'));
      await assert.rejects(f.provider.upload({ source: bufferSource(data), options: f.options('aborted.bin'), signal: ac.signal, onProgress: () => undefined }));
    });

    it('refuses missing required options before sending', async (t) => {
      const f = await setup(t);
      for (const key of f.required) {
        const opts = { ...f.options('x') };
        delete (opts as Record<string, string>)[key];
        assert.throws(() => f.provider.validate(opts), (e: unknown) => isLedgeError(e) && e.code === 'LEDGE_FU_PROVIDER_OPTION_INVALID', key);
      }
    });
  });
}
