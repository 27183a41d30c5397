import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, spawnProcess, type TestContextLike } from '@ledge/shared/util/testing';
import { ProcErrorCodes } from './errors';
import { nodeProcFs, type ProcFs } from './proc-fs';
import { createProcReader } from './proc-reader';
import { pidIoText, pidStatText, pidStatusText, procError, procParse, writeProcTree } from './testing/proc-tree';

const LONG = 'very-long-daemon-name';

/** A small machine: systemd, two kernel threads, two `node`s, a weird comm, two long names sharing a comm. */
function fixture(t: TestContextLike): string {
  const root = writeProcTree(createTempDir(t), {
    stat: 'cpu  100 10 50 1000 20 5 3 2 40 4\ncpu0 100 10 50 1000 20 5 3 2 40 4\nctxt 1\n',
    loadavg: '0.36 0.28 0.27 1/111 23704\n',
    meminfo: 'MemTotal:        3884096 kB\nMemFree:         2104564 kB\nMemAvailable:    3238712 kB\nBuffers:           58716 kB\nCached:          1153860 kB\n',
    '1/status': pidStatusText('systemd', 12000),
    '1/stat': pidStatText(1, 'systemd', { utime: 90, stime: 60 }),
    '1/io': pidIoText(1, 2),
    '1/cmdline': '/sbin/init\0splash\0',
    '2/status': pidStatusText('kthreadd'),
    '2/stat': pidStatText(2, 'kthreadd'),
    '2/cmdline': '',
    '10/status': pidStatusText('sshd', 7000),
    '10/stat': pidStatText(10, 'sshd'),
    '42/status': pidStatusText('kworker/0:1-events'),
    '42/stat': pidStatText(42, 'kworker/0:1-events', { utime: 0, stime: 17 }),
    '42/io': pidIoText(0, 0),
    '250/status': pidStatusText('my (weird) proc', 100),
    '250/stat': pidStatText(250, 'my (weird) proc'),
    '250/io': pidIoText(5, 6),
    '300/status': pidStatusText('node', 58844),
    '300/stat': pidStatText(300, 'node', { utime: 1520, stime: 340 }),
    '300/io': pidIoText(4096000, 811008),
    '300/cmdline': '/usr/bin/node\0main.js\0',
    '301/status': pidStatusText('node', 1),
    '301/stat': pidStatText(301, 'node', { utime: 1, stime: 1 }),
    '301/io': pidIoText(1, 1),
    '390/status': pidStatusText(LONG.slice(0, 15), 10),
    '390/stat': pidStatText(390, LONG.slice(0, 15)),
    '390/cmdline': '/opt/very-long-daemon-other\0',
    '400/status': pidStatusText(LONG.slice(0, 15), 20),
    '400/stat': pidStatText(400, LONG.slice(0, 15), { utime: 5, stime: 5 }),
    '400/io': pidIoText(7, 8),
    '400/cmdline': `/usr/bin/${LONG}\0--flag\0`,
    // Listed but gone before its files were read.
    '500/.keep': '',
    'sys/kernel/pid_max': '4194304\n',
    'net/dev': '',
  });
  symlinkSync('300', join(root, 'self'));
  return root;
}

/** node:fs that records the files read (relative to root) and fails the ones named in `fail` with an errno. */
function recordingFs(root: string, fail: Readonly<Record<string, string>> = {}): ProcFs & { reads: string[]; listed: number } {
  const fs = {
    reads: [] as string[],
    listed: 0,
    readdir(path: string) {
      fs.listed++;
      return nodeProcFs.readdir(path);
    },
    readHead(path: string, maxBytes: number) {
      const rel = path.slice(root.length + 1);
      fs.reads.push(rel);
      const errno = fail[rel];
      if (errno !== undefined) return Promise.reject(Object.assign(new Error(`${errno}: ${path}`), { code: errno }));
      return nodeProcFs.readHead(path, maxBytes);
    },
  };
  return fs;
}

describe('createProcReader against a fixture /proc', () => {
  it('reads the system-wide files', async (t) => {
    const proc = createProcReader({ root: fixture(t) });
    assert.deepEqual(await proc.cpu(), { total: 1190, idle: 1020 });
    assert.deepEqual(await proc.load(), { load1: 0.36, load5: 0.28, load15: 0.27 });
    assert.deepEqual(await proc.memory(), { totalBytes: 3884096 * 1024, availableBytes: 3238712 * 1024, usedBytes: (3884096 - 3238712) * 1024 });
  });

  it('finds each named process, the lowest pid first, long names through cmdline; absent names are absent', async (t) => {
    const proc = createProcReader({ root: fixture(t) });
    const got = await proc.processesNamed(['node', 'systemd', 'my (weird) proc', LONG, 'kworker/0:1-events', 'sshd', 'absent', 'node', '']);
    assert.deepEqual(
      [...got.keys()].sort(),
      ['kworker/0:1-events', 'my (weird) proc', 'node', 'sshd', 'systemd', LONG].sort(),
    );
    assert.deepEqual(got.get('node'), { pid: 300, name: 'node', cpuTicks: 1860, rssBytes: 58844 * 1024, readBytes: 4096000, writeBytes: 811008 });
    assert.deepEqual(got.get('systemd'), { pid: 1, name: 'systemd', cpuTicks: 150, rssBytes: 12000 * 1024, readBytes: 1, writeBytes: 2 });
    assert.equal(got.get('my (weird) proc')?.pid, 250);
    // 390 has the same comm, but its argv[0] is another program.
    assert.deepEqual(got.get(LONG), { pid: 400, name: LONG, cpuTicks: 10, rssBytes: 20 * 1024, readBytes: 7, writeBytes: 8 });
    assert.deepEqual(got.get('kworker/0:1-events'), { pid: 42, name: 'kworker/0:1-events', cpuTicks: 17, rssBytes: 0, readBytes: 0, writeBytes: 0 });
    // No io file (a kernel without task I/O accounting): no io fields.
    assert.deepEqual(got.get('sshd'), { pid: 10, name: 'sshd', cpuTicks: 1860, rssBytes: 7000 * 1024 });
    assert.equal((await proc.processesNamed([LONG.slice(0, 15)])).get(LONG.slice(0, 15))?.pid, 390, 'the 15-byte comm itself is a name too');
    assert.deepEqual(await proc.processesNamed([]), new Map());
  });

  it('compares names as bytes: a UTF-8 name the kernel cut in the middle of a character still matches', async (t) => {
    const name = 'abcdefghijklmnü-daemon';
    const comm = Buffer.from(name).subarray(0, 15);
    const root = writeProcTree(createTempDir(t), {
      '7/status': Buffer.concat([Buffer.from('Name:\t'), comm, Buffer.from('\nVmRSS:\t       8 kB\n')]),
      '7/stat': Buffer.concat([Buffer.from('7 ('), comm, Buffer.from(pidStatText(7, '').slice('7 ('.length))]),
      '7/cmdline': `/usr/local/bin/${name}\0`,
    });
    assert.deepEqual((await createProcReader({ root }).processesNamed([name])).get(name), { pid: 7, name, cpuTicks: 1860, rssBytes: 8192 });
  });

  it('lists /proc once and reads only status per pid; stat, io and cmdline only for matches; stops once all are found', async (t) => {
    const root = fixture(t);
    const fs = recordingFs(root);
    await createProcReader({ root, fs }).processesNamed(['node', LONG]);
    assert.equal(fs.listed, 1);
    const notStatus = fs.reads.filter((r) => !r.endsWith('/status')).sort();
    assert.deepEqual(notStatus, ['300/io', '300/stat', '390/cmdline', '400/cmdline', '400/io', '400/stat']);
    assert.equal(new Set(fs.reads).size, fs.reads.length, 'no file read twice');

    const early = recordingFs(root);
    await createProcReader({ root, fs: early }).processesNamed(['systemd']);
    assert.ok(!early.reads.includes('500/status'), `read past the match: ${early.reads.join(' ')}`);

    const none = recordingFs(root);
    await createProcReader({ root, fs: none }).processesNamed(['']);
    assert.equal(none.listed, 0);
  });

  it('remembers the names of pids that matched nothing: the next sample reads only new pids, the matches, and after 10 s the rest again', async (t) => {
    const root = fixture(t);
    const fs = recordingFs(root);
    let now = 0;
    const reader = createProcReader({ root, fs, now: () => now });
    const first = await reader.processesNamed(['node', 'absent']);
    const statuses = () => fs.reads.filter((r) => r.endsWith('/status'));
    const all = statuses().length;
    assert.ok(all > 2, 'the first sample reads every status');
    fs.reads.length = 0;
    now = 5_000;
    const second = await reader.processesNamed(['node', 'absent']);
    assert.deepEqual([...second.keys()], [...first.keys()], 'the same finding');
    assert.deepEqual(statuses(), ['300/status', '301/status'], 'only the pids named node');
    fs.reads.length = 0;
    now = 10_000;
    await reader.processesNamed(['node', 'absent']);
    assert.equal(statuses().length, all, 'every pid again after 10 s');
  });

  it('skips a process that vanished (ENOENT, ESRCH) or is hidden (EACCES) and takes the next one of that name', async (t) => {
    const root = fixture(t);
    const fs = recordingFs(root, { '300/stat': 'ESRCH', '1/status': 'ENOENT', '250/status': 'EACCES', '390/cmdline': 'ENOENT' });
    const got = await createProcReader({ root, fs }).processesNamed(['node', 'systemd', 'my (weird) proc', LONG]);
    assert.equal(got.get('node')?.pid, 301);
    assert.equal(got.has('systemd'), false);
    assert.equal(got.has('my (weird) proc'), false);
    assert.equal(got.get(LONG)?.pid, 400);
  });

  it('skips a pid reused between reading its status and its stat', async (t) => {
    const root = fixture(t);
    writeProcTree(root, { '300/stat': pidStatText(300, 'bash') });
    assert.equal((await createProcReader({ root }).processesNamed(['node'])).get('node')?.pid, 301);
  });

  it('leaves the io fields out when /proc/<pid>/io is not readable (another user without CAP_SYS_PTRACE)', async (t) => {
    const root = fixture(t);
    for (const errno of ['EACCES', 'EPERM']) {
      const got = await createProcReader({ root, fs: recordingFs(root, { '300/io': errno }) }).processesNamed(['node']);
      assert.deepEqual(got.get('node'), { pid: 300, name: 'node', cpuTicks: 1860, rssBytes: 58844 * 1024 });
    }
  });

  it('throws PROC_UNAVAILABLE when /proc is missing or a file fails to read for another reason', async (t) => {
    const missing = join(createTempDir(t), 'proc');
    const proc = createProcReader({ root: missing });
    const unavailable = (file: string) => procError(ProcErrorCodes.PROC_UNAVAILABLE, file);
    await assert.rejects(proc.cpu(), unavailable(join(missing, 'stat')));
    await assert.rejects(proc.load(), unavailable(join(missing, 'loadavg')));
    await assert.rejects(proc.memory(), (err: { kind?: string; details?: Record<string, unknown> }) => {
      assert.equal(err.kind, 'Unavailable');
      assert.deepEqual(err.details, { file: join(missing, 'meminfo'), errno: 'ENOENT' });
      return unavailable(join(missing, 'meminfo'))(err);
    });
    await assert.rejects(proc.processesNamed(['node']), unavailable(missing));
    const root = fixture(t);
    await assert.rejects(createProcReader({ root, fs: recordingFs(root, { '300/io': 'EIO' }) }).processesNamed(['node']), unavailable(join(root, '300/io')));
  });

  it('throws PROC_PARSE naming the file for garbled or oversized content', async (t) => {
    const root = fixture(t);
    writeProcTree(root, { stat: 'garbage\n', loadavg: 'x y z\n', meminfo: Buffer.alloc(1024 * 1024 + 1, 0x41), '301/status': 'Umask:\t0022\n' });
    const proc = createProcReader({ root });
    await assert.rejects(proc.cpu(), procParse(join(root, 'stat')));
    await assert.rejects(proc.load(), procParse(join(root, 'loadavg')));
    await assert.rejects(proc.memory(), procParse(join(root, 'meminfo')));
    await assert.rejects(proc.processesNamed(['no-such-name']), procParse(join(root, '301/status')));
  });
});

describe('createProcReader against this machine', { skip: process.platform !== 'linux' && 'not Linux' }, () => {
  it('reads CPU, load and memory', async () => {
    const proc = createProcReader();
    const cpu = await proc.cpu();
    assert.ok(cpu.total > 0 && cpu.idle >= 0 && cpu.idle <= cpu.total, JSON.stringify(cpu));
    const load = await proc.load();
    assert.ok(load.load1 >= 0 && load.load5 >= 0 && load.load15 >= 0);
    const mem = await proc.memory();
    assert.ok(mem.totalBytes > 0 && mem.availableBytes > 0);
    assert.equal(mem.usedBytes + mem.availableBytes, mem.totalBytes);
  });

  it('finds `node` (this test runner)', async () => {
    const node = (await createProcReader().processesNamed(['node'])).get('node');
    assert.ok(node, 'no process named node');
    assert.ok(Number.isInteger(node.pid) && node.pid > 0);
    assert.ok(node.cpuTicks >= 0 && node.rssBytes > 0, JSON.stringify(node));
  });

  it('finds a process by a name longer than the 15 bytes of its comm', async (t) => {
    const name = 'ledge-metrics-long-name-test';
    const exe = join(createTempDir(t), name);
    symlinkSync(process.execPath, exe);
    // The kernel takes the comm from the executable's file name: the symlink's, cut to 15 bytes.
    const child = spawnProcess(t, exe, { args: ['-e', 'console.log("{}"); setInterval(() => {}, 60_000)'] });
    await child.waitForLog(() => true);
    const got = (await createProcReader().processesNamed([name, name.slice(0, 15)])).get(name);
    assert.equal(got?.pid, child.child.pid);
  });
});
