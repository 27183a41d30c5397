export { parseJournalRecord, appOfRecord, journalctlArgs, createJournalctlReader, JournalUnavailableError } from './journal';
export type { JournalRecord, JournalQuery, JournalReader } from './journal';
