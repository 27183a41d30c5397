// V8 heap tuning of the all-in-one process (issue 22 item 6, docs/performance.md "Footprint and soak").
// Every app shares one heap, so V8's default old-generation growth (the next full GC when the heap has
// grown to 1.1-4x what survived the last one) lets the garbage of 2,000 msgs/s pile up to ~50 MiB of old
// space between full GCs. Growing by half of what survived keeps it near 20 MiB for ~3 times as many
// (cheap) full GCs and no measurable CPU. The young generation's cap (--max-semi-space-size=1) cannot be
// set here, once the heap exists: ledge.service and `npm start` give it on the command line.
import { setFlagsFromString } from 'node:v8';

export const ALL_IN_ONE_V8_FLAGS = Object.freeze(['--heap-growing-percent=50']);

/** Applies ALL_IN_ONE_V8_FLAGS to this process (V8 reads this one each time it sets the next GC's limit). */
export function tuneHeapForAllInOne(setFlags: (flags: string) => void = setFlagsFromString): void {
  for (const flag of ALL_IN_ONE_V8_FLAGS) setFlags(flag);
}
