export { parseJournalRecord, appOfRecord, journalctlArgs, createJournalctlReader, readLedgeJournalText, JournalUnavailableError } from './journal';
export type { JournalRecord, JournalQuery, JournalReader } from './journal';
export { createLogFileReader, logFileRecords, lastRecords, readLogFilesText, parseLogLine, unitOfLogFile, logFileOfUnit } from './log-files';
export { followLogFiles } from './follow-log-files';
export type { FollowLogFilesOptions } from './follow-log-files';
export { parseUnitShow, readLedgeUnits } from './systemd-units';
export type { UnitState } from './systemd-units';
