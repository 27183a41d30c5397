// Container stats from the task's cgroup (v1 controllers or the v2 unified tree) and its netns counters.
import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { ContainerStats } from '@ledge/container-management/model-containers';

const CG = '/sys/fs/cgroup';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // Controller not mounted or cgroup gone (task exited): the value is reported as 0.
    return undefined;
  }
}
function num(text: string | undefined): number {
  const n = Number((text ?? '').trim());
  return Number.isFinite(n) ? n : 0;
}
function kv(text: string | undefined, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text ?? '');
  return m ? Number(m[1]) : 0;
}

function net(pid: number): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of (read(`/proc/${pid}/net/dev`) ?? '').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name?.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}

export function readStats(cgroupPath: string, pid: number): ContainerStats {
  const host = totalmem();
  const { rx, tx } = pid > 0 ? net(pid) : { rx: 0, tx: 0 };
  const timestamp = Date.now();
  if (existsSync(`${CG}/cgroup.controllers`)) {
    const d = `${CG}${cgroupPath}`;
    const max = read(`${d}/memory.max`)?.trim();
    const io = read(`${d}/io.stat`) ?? '';
    const sum = (k: string) => [...io.matchAll(new RegExp(`${k}=(\\d+)`, 'g'))].reduce((n, m) => n + Number(m[1]), 0);
    return {
      cpuNanos: kv(read(`${d}/cpu.stat`), 'usage_usec') * 1000,
      memoryUsedBytes: num(read(`${d}/memory.current`)),
      memoryTotalBytes: !max || max === 'max' ? host : Math.min(Number(max), host),
      ioReadBytes: sum('rbytes'),
      ioWriteBytes: sum('wbytes'),
      netReadBytes: rx,
      netWriteBytes: tx,
      pids: num(read(`${d}/pids.current`)),
      timestamp,
    };
  }
  const limit = num(read(`${CG}/memory${cgroupPath}/memory.limit_in_bytes`));
  const blk = read(`${CG}/blkio${cgroupPath}/blkio.throttle.io_service_bytes`) ?? '';
  const sum = (k: string) => [...blk.matchAll(new RegExp(`^\\S+ ${k} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  const memStat = read(`${CG}/memory${cgroupPath}/memory.stat`);
  return {
    cpuNanos: num(read(`${CG}/cpuacct${cgroupPath}/cpuacct.usage`)),
    memoryUsedBytes: Math.max(0, num(read(`${CG}/memory${cgroupPath}/memory.usage_in_bytes`)) - kv(memStat, 'total_inactive_file')),
    memoryTotalBytes: limit > 0 && limit < host ? limit : host,
    ioReadBytes: sum('Read'),
    ioWriteBytes: sum('Write'),
    netReadBytes: rx,
    netWriteBytes: tx,
    pids: num(read(`${CG}/pids${cgroupPath}/pids.current`)),
    timestamp,
  };
}

/** OOM kills in the task's memory cgroup since it was created (per task run); 0 when unknown. */
export function oomKills(cgroupPath: string): number {
  if (existsSync(`${CG}/cgroup.controllers`)) return kv(read(`${CG}${cgroupPath}/memory.events`), 'oom_kill');
  return kv(read(`${CG}/memory${cgroupPath}/memory.oom_control`), 'oom_kill');
}
