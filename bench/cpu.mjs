// CPU seconds (user + system, every thread) a process has used so far: this process from
// process.cpuUsage(), any other from /proc/<pid>/stat (utime and stime, fields 14 and 15). Benches use it
// to report CPU per message or per download next to throughput.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const clkTck = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

export function cpuSeconds(pid = process.pid) {
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / clkTck;
}
