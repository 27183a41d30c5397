import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '@ledge/shared/util';
import { fileUploadSpec } from './config';
import { AZURE_BLOCK_LIMITS, S3_PART_LIMITS, partSizeFor } from './part-size';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

describe('part size within the stores\' limits', () => {
  const cases: [string, number, number, typeof S3_PART_LIMITS, number][] = [
    ['S3: the configured size when it fits', 100 * MiB, 8 * MiB, S3_PART_LIMITS, 8 * MiB],
    ['S3: raised to the 5 MiB minimum', 100 * MiB, 1 * MiB, S3_PART_LIMITS, 5 * MiB],
    ['S3: exactly 10,000 parts stays', 10_000 * 8 * MiB, 8 * MiB, S3_PART_LIMITS, 8 * MiB],
    ['S3: one byte more needs larger parts (whole MiB)', 10_000 * 8 * MiB + 1, 8 * MiB, S3_PART_LIMITS, 9 * MiB],
    ['S3: 1 TiB with 8 MiB parts → 105 MiB', TiB, 8 * MiB, S3_PART_LIMITS, 105 * MiB],
    ['S3: 5 TiB (the object limit) fits in 10,000 parts', 5 * TiB, 8 * MiB, S3_PART_LIMITS, 525 * MiB],
    ['S3: never above 5 GiB', 100 * TiB, 8 * MiB, S3_PART_LIMITS, 5 * GiB],
    ['Azure: small blocks are allowed', 10 * MiB, 64 * 1024, AZURE_BLOCK_LIMITS, 64 * 1024],
    ['Azure: at most 50,000 blocks', 1 * TiB, 8 * MiB, AZURE_BLOCK_LIMITS, 21 * MiB],
  ];
  for (const [name, size, requested, limits, want] of cases) {
    it(name, () => {
      const part = partSizeFor(size, requested, limits);
      assert.equal(part, want);
      if (part < limits.maxPart) assert.ok(Math.ceil(size / part) <= limits.maxParts, `${Math.ceil(size / part)} parts`);
    });
  }

  it('config partSize: below 5 MiB or above 4000 MiB exits with a config error naming the key and the limits', () => {
    const load = (v: string) => loadConfig({ app: 'file-upload', spec: fileUploadSpec, argv: ['--partSize', v], env: {}, configDir: '/nonexistent' });
    assert.equal(load(String(5 * MiB)).config.partSize, 5 * MiB);
    assert.equal(load(String(4000 * MiB)).config.partSize, 4000 * MiB);
    for (const bad of [String(1 * MiB), String(5 * MiB - 1), String(4000 * MiB + 1), '5242880.5']) {
      assert.throws(() => load(bad), (e: unknown) => e instanceof ConfigError && /config key 'partSize'.*5 MiB, S3's smallest part.*4000 MiB, Azure's largest block/.test(e.message), bad);
    }
  });
});
