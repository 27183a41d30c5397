export { parseJournalRecord, appOfRecord, journalctlArgs, createJournalctlReader, readLedgeJournalText, JournalUnavailableError } from './journal';
export type { JournalRecord, JournalQuery, JournalReader } from './journal';
