import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commandBasename, parsePidIo, parsePidStat, parsePidStatus } from './parse-pid';
import { pidStatText as stat, procParse } from './testing/proc-tree';

const STATUS_NODE = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
Tgid:\t4242
Pid:\t4242
PPid:\t1
Uid:\t1000\t1000\t1000\t1000
VmPeak:\t 1171440 kB
VmSize:\t 1076592 kB
VmHWM:\t   62320 kB
VmRSS:\t   58844 kB
RssAnon:\t   31492 kB
Threads:\t11
`;

// A kernel thread: no memory map, so no Vm* lines.
const STATUS_KTHREAD = `Name:\tkworker/0:1-events
Umask:\t0000
State:\tI (idle)
Tgid:\t42
Pid:\t42
PPid:\t2
Kthread:\t1
Threads:\t1
`;

const IO = `rchar: 88172344
wchar: 1203371
syscr: 20384
syscw: 5120
read_bytes: 4096000
write_bytes: 811008
cancelled_write_bytes: 4096
`;

describe('parsePidStat', () => {
  it('reads comm, utime, stime and starttime', () => {
    assert.deepEqual(parsePidStat(stat(4242, 'node')), { comm: 'node', utime: 1520, stime: 340, starttime: 2277742 });
  });

  it('takes the last ")" as the end of comm: spaces, parentheses, even ") S 1 (" inside it', () => {
    assert.equal(parsePidStat(stat(7, 'my (weird) proc')).comm, 'my (weird) proc');
    assert.equal(parsePidStat(stat(7, ') S 1 2 3 (')).comm, ') S 1 2 3 (');
    assert.equal(parsePidStat(stat(7, ')')).comm, ')');
    assert.equal(parsePidStat(stat(7, '')).comm, '');
    assert.equal(parsePidStat(stat(7, 'my (weird) proc')).utime, 1520);
  });

  it('refuses a truncated or garbled stat', () => {
    const good = stat(4242, 'node');
    for (const bad of ['', '4242 node S 1', '4242 (node S 1 2', good.slice(0, 40), good.replace(' 1520 ', ' x '), good.replace(' 340 ', ' -340 '), `x${good}`]) {
      assert.throws(() => parsePidStat(bad, '/proc/4242/stat'), procParse('/proc/4242/stat'), JSON.stringify(bad));
    }
  });
});

describe('parsePidStatus', () => {
  it('reads Name and VmRSS in bytes', () => {
    assert.deepEqual(parsePidStatus(STATUS_NODE), { name: 'node', rssBytes: 58844 * 1024 });
  });

  it('reports 0 bytes for a kernel thread without VmRSS', () => {
    assert.deepEqual(parsePidStatus(STATUS_KTHREAD), { name: 'kworker/0:1-events', rssBytes: 0 });
  });

  it('keeps spaces and parentheses of a name, and undoes the kernel escaping of newline and backslash', () => {
    assert.equal(parsePidStatus('Name:\tmy (weird) proc\nVmRSS:\t 4 kB\n').name, 'my (weird) proc');
    assert.equal(parsePidStatus('Name:\ta\\nb\\\\c\n').name, 'a\nb\\c');
    assert.equal(parsePidStatus('Name:\t\tlead tab\n').name, '\tlead tab');
  });

  it('refuses a status without Name or with a garbled VmRSS', () => {
    for (const bad of ['', 'State:\tS\nVmRSS:\t 4 kB\n', STATUS_NODE.replace('58844 kB', '58844'), STATUS_NODE.replace('58844 kB', 'NaN kB')]) {
      assert.throws(() => parsePidStatus(bad, '/proc/4242/status'), procParse('/proc/4242/status'), JSON.stringify(bad));
    }
  });
});

describe('parsePidIo', () => {
  it('reads read_bytes and write_bytes (not rchar/wchar, which count page-cache hits too)', () => {
    assert.deepEqual(parsePidIo(IO), { readBytes: 4096000, writeBytes: 811008 });
  });

  it('refuses an io file without them or with garbage', () => {
    for (const bad of ['', IO.replace(/^write_bytes.*\n/m, ''), IO.replace('4096000', '4e6'), IO.replace('811008', '')]) {
      assert.throws(() => parsePidIo(bad, '/proc/4242/io'), procParse('/proc/4242/io'), JSON.stringify(bad));
    }
  });
});

describe('commandBasename', () => {
  it('is the basename of argv[0]', () => {
    assert.equal(commandBasename('/usr/bin/container-management\0--config\0/etc/x.json\0'), 'container-management');
    assert.equal(commandBasename('container-management\0'), 'container-management');
    assert.equal(commandBasename('/opt/app/\0'), 'app');
    assert.equal(commandBasename('no-nul-at-all'), 'no-nul-at-all');
    assert.equal(commandBasename(''), '');
  });
});
