// Entries kept in increasing sequence-number order, as the outgoing queues need them: appended at the
// tail with a higher number than any before, removed from anywhere (mostly the head), found by number
// with a binary search, iterated oldest first. Two parallel arrays with a head offset; a removal leaves
// a hole that the head skips and that a compaction closes once holes outnumber the live entries.
// Against a Map keyed by number (what the queues had): no hash-table growth, shrinking or rehashing as a
// queue fills and drains, which was most of a queued message's cost in the store (docs/performance.md).

/** Holes tolerated before compaction is considered (a few, so an online queue never compacts per message). */
const MIN_HOLES_TO_COMPACT = 32;

export class SeqList<T> {
  private seqs: number[] = [];
  private items: (T | undefined)[] = [];
  private head = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** Appends `item` under `seq`, which must be higher than every number added before. */
  push(seq: number, item: T): void {
    const n = this.seqs.length;
    if (n > 0 && seq <= this.seqs[n - 1]!) throw new RangeError(`sequence ${seq} is not above the last (${this.seqs[n - 1]})`);
    this.seqs.push(seq);
    this.items.push(item);
    this.live++;
  }

  get(seq: number): T | undefined {
    const i = this.indexOf(seq);
    return i < 0 ? undefined : this.items[i];
  }

  /** Removes the entry under `seq`; false when there is none. */
  delete(seq: number): boolean {
    const i = this.indexOf(seq);
    if (i < 0 || this.items[i] === undefined) return false;
    this.items[i] = undefined;
    this.live--;
    if (this.live === 0) {
      this.clear();
      return true;
    }
    const n = this.seqs.length;
    while (this.head < n && this.items[this.head] === undefined) this.head++;
    const holes = n - this.head - this.live;
    if (this.head > MIN_HOLES_TO_COMPACT && this.head * 2 > n) this.dropHead();
    else if (holes > MIN_HOLES_TO_COMPACT && holes > this.live) this.compact();
    return true;
  }

  clear(): void {
    this.seqs = [];
    this.items = [];
    this.head = 0;
    this.live = 0;
  }

  /** The oldest entry, or undefined. */
  first(): T | undefined {
    return this.live === 0 ? undefined : this.items[this.head];
  }

  /** The live entries, oldest first (removals during the iteration are seen; additions may be). */
  *values(): Generator<T> {
    let seqs = this.seqs;
    let i = this.head;
    let last = -Infinity;
    for (;;) {
      // a compaction or clear during the iteration replaces the arrays: find the place again by number
      if (seqs !== this.seqs) {
        seqs = this.seqs;
        i = this.lowerBound(last + 1);
      }
      if (i >= seqs.length) return;
      const item = this.items[i];
      last = seqs[i]!;
      i++;
      if (item !== undefined) yield item;
    }
  }

  /** The numbers of the live entries, oldest first (a copy). */
  keys(): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.seqs.length; i++) if (this.items[i] !== undefined) out.push(this.seqs[i]!);
    return out;
  }

  /** Index of `seq` among the kept numbers (live or hole), or -1. */
  private indexOf(seq: number): number {
    const i = this.lowerBound(seq);
    return i < this.seqs.length && this.seqs[i] === seq ? i : -1;
  }

  /** The first index at or after the head whose number is at least `seq`. */
  private lowerBound(seq: number): number {
    let lo = this.head;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private dropHead(): void {
    this.seqs = this.seqs.slice(this.head);
    this.items = this.items.slice(this.head);
    this.head = 0;
  }

  private compact(): void {
    const seqs: number[] = [];
    const items: T[] = [];
    for (let i = this.head; i < this.seqs.length; i++) {
      const item = this.items[i];
      if (item === undefined) continue;
      seqs.push(this.seqs[i]!);
      items.push(item);
    }
    this.seqs = seqs;
    this.items = items;
    this.head = 0;
  }
}
