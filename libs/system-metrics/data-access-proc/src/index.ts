export { parseProcStat, parseLoadAvg, parseMemInfo } from './parse-system';
export type { CpuTimes, LoadAverage, MemoryInfo } from './parse-system';
export { parsePidStat, parsePidStatus, parsePidIo } from './parse-pid';
export type { ProcessSample } from './process-finder';
export { createProcReader, CLOCK_TICKS_PER_SECOND } from './proc-reader';
export type { ProcReader, ProcReaderOptions } from './proc-reader';
export type { ProcFs } from './proc-fs';
export { ProcErrorCodes } from './errors';
export type { ProcErrorCode } from './errors';
