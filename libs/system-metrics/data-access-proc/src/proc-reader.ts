// Linux /proc, read with plain Node fs (no native code): the numbers behind Eclipse Kanto's system-metrics
// (SYSTEM cpu.*, memory.*; per process cpu.utilization, memory.utilization, io.*). Rates and percentages
// are the caller's: this lib returns raw counters, so two samples and a clock make a utilization.
import { join } from 'node:path';
import { parseLoadAvg, parseMemInfo, parseProcStat, type CpuTimes, type LoadAverage, type MemoryInfo } from './parse-system';
import { readSystemFile } from './proc-files';
import { nodeProcFs, type ProcFs } from './proc-fs';
import { createProcessFinder, type ProcessSample } from './process-finder';

/** Linux USER_HZ: 100 on every architecture Ledge ships (arm64, armhf, amd64); Node cannot call sysconf. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcReaderOptions {
  /** Default '/proc'; tests point it at a fixture directory. */
  readonly root?: string;
  /** Default: node:fs. */
  readonly fs?: ProcFs;
  /** Clock for processesNamed's name cache (default Date.now). */
  readonly now?: () => number;
}

const defaultProcReaderOptions = Object.freeze({ root: '/proc', fs: nodeProcFs });

export interface ProcReader {
  cpu(): Promise<CpuTimes>;
  load(): Promise<LoadAverage>;
  memory(): Promise<MemoryInfo>;
  /**
   * For each wanted name, the first process (lowest pid) whose name equals it. Name = the `Name:` of
   * /proc/<pid>/status (the kernel's comm, at most 15 characters); when the wanted name is longer than 15
   * characters, a process matches if its comm equals the first 15 characters AND the basename of the first
   * NUL-separated field of /proc/<pid>/cmdline equals the whole name (that is how gopsutil, which Kanto uses,
   * resolves long names). Processes that vanish while being read (ENOENT/ESRCH) are skipped silently;
   * names not found are absent from the map. A pid whose name matched nothing is read again only after
   * 10 s (a new pid at once), so a process that takes over a known pid is found within 10 s.
   *
   * "Characters" are UTF-8 bytes, as in the kernel (TASK_COMM_LEN) and gopsutil (Go's len). Processes whose
   * files we may not read (EACCES/EPERM: hidepid=1) are skipped like vanished ones.
   */
  processesNamed(names: readonly string[]): Promise<Map<string, ProcessSample>>;
}

export function createProcReader(options: ProcReaderOptions = {}): ProcReader {
  const root = options.root ?? defaultProcReaderOptions.root;
  const fs = options.fs ?? defaultProcReaderOptions.fs;
  const file = (name: string) => join(root, name);
  const findNamed = createProcessFinder(fs, root, options.now ? { now: options.now } : {});
  return {
    cpu: async () => parseProcStat(await readSystemFile(fs, file('stat')), file('stat')),
    load: async () => parseLoadAvg(await readSystemFile(fs, file('loadavg')), file('loadavg')),
    memory: async () => parseMemInfo(await readSystemFile(fs, file('meminfo')), file('meminfo')),
    processesNamed: (names) => findNamed(names),
  };
}
