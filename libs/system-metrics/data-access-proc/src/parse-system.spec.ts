import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLoadAvg, parseMemInfo, parseProcStat } from './parse-system';
import { procParse } from './testing/proc-tree';

// A Raspberry Pi 4 (4 cores, guest columns present and non-zero to prove they are not added).
const STAT = `cpu  1403447 1286 412803 28540392 39621 0 6174 17 900 11
cpu0 355187 331 104540 7128427 10140 0 4617 5 300 3
cpu1 349120 318 102870 7140288 9871 0 560 4 200 3
cpu2 350034 322 102611 7135520 9802 0 503 4 200 3
cpu3 349106 315 102782 7136157 9808 0 494 4 200 2
intr 150735374 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 25 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
ctxt 261543877
btime 1767225600
processes 152093
procs_running 2
procs_blocked 0
softirq 60537891 17 11862310 2098 1401284 0 0 2218633 24385911 1218 20666420
`;

const MEMINFO = `MemTotal:        3884096 kB
MemFree:         2104564 kB
MemAvailable:    3238712 kB
Buffers:           58716 kB
Cached:          1153860 kB
SwapCached:            0 kB
Active:           712604 kB
SwapTotal:        102396 kB
HugePages_Total:       0
HugePages_Free:        0
Hugepagesize:       2048 kB
`;

describe('parseProcStat', () => {
  it('sums the first eight columns of the aggregate line; idle is idle + iowait; guest columns are not added', () => {
    assert.deepEqual(parseProcStat(STAT), {
      total: 1403447 + 1286 + 412803 + 28540392 + 39621 + 0 + 6174 + 17,
      idle: 28540392 + 39621,
    });
  });

  it('finds the aggregate line anywhere and reads the short lines of old kernels', () => {
    assert.deepEqual(parseProcStat('cpu0 1 1 1 1\ncpu  10 20 30 40\n'), { total: 100, idle: 40 });
    assert.deepEqual(parseProcStat('cpu 1 2 3 4 5 6 7'), { total: 28, idle: 9 });
  });

  it('refuses what is not a /proc/stat, never returning NaN', () => {
    for (const bad of ['', 'cpu0 1 2 3 4\n', 'cpu  1 2 3\n', 'cpu  1 x 3 4\n', 'cpu  1 -2 3 4\n', 'cpu  1 2e3 3 4\n', 'cpu  0x1 2 3 4\n', 'intr 1 2 3 4\n']) {
      assert.throws(() => parseProcStat(bad), procParse('/proc/stat'), JSON.stringify(bad));
    }
    assert.throws(() => parseProcStat('', '/fixture/stat'), procParse('/fixture/stat'));
  });
});

describe('parseLoadAvg', () => {
  it('reads the three averages', () => {
    assert.deepEqual(parseLoadAvg('0.36 0.28 0.27 1/111 23704\n'), { load1: 0.36, load5: 0.28, load15: 0.27 });
    assert.deepEqual(parseLoadAvg('12.00 8.50 4.25 3/412 991'), { load1: 12, load5: 8.5, load15: 4.25 });
  });

  it('refuses garbage', () => {
    for (const bad of ['', '\n', '0.36 0.28', 'a b c 1/1 1', '-0.1 0.2 0.3 1/1 1', 'NaN NaN NaN', 'Infinity 1 1', '1e2 1 1', '0.1.2 1 1']) {
      assert.throws(() => parseLoadAvg(bad), procParse('/proc/loadavg'), JSON.stringify(bad));
    }
  });
});

describe('parseMemInfo', () => {
  it('converts kB to bytes; used = total - MemAvailable', () => {
    assert.deepEqual(parseMemInfo(MEMINFO), {
      totalBytes: 3884096 * 1024,
      availableBytes: 3238712 * 1024,
      usedBytes: (3884096 - 3238712) * 1024,
    });
  });

  it('estimates available as MemFree + Buffers + Cached on kernels before 3.14 (no MemAvailable)', () => {
    const old = MEMINFO.replace(/^MemAvailable:.*\n/m, '');
    const available = (2104564 + 58716 + 1153860) * 1024;
    assert.deepEqual(parseMemInfo(old), { totalBytes: 3884096 * 1024, availableBytes: available, usedBytes: 3884096 * 1024 - available });
  });

  it('never reports negative used memory (an available estimate above the total)', () => {
    assert.deepEqual(parseMemInfo('MemTotal: 100 kB\nMemAvailable: 150 kB\n'), { totalBytes: 102400, availableBytes: 102400, usedBytes: 0 });
  });

  it('refuses a meminfo without the fields it needs or with garbled numbers', () => {
    for (const bad of [
      '',
      MEMINFO.replace(/^MemTotal:.*\n/m, ''),
      MEMINFO.replace(/^MemAvailable:.*\n/m, '').replace(/^Cached:.*\n/m, ''),
      MEMINFO.replace('3884096 kB', 'lots kB'),
      MEMINFO.replace('3884096 kB', '3884096'),
      MEMINFO.replace('3238712 kB', '-1 kB'),
    ]) {
      assert.throws(() => parseMemInfo(bad), procParse('/proc/meminfo'), bad.slice(0, 80));
    }
  });
});
