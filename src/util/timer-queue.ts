interface Entry<T> {
  readonly key: string;
  readonly at: number;
  readonly seq: number;
  readonly value: T;
}

/**
 * Keyed deadlines, earliest first: setting a key again replaces its deadline, and among equal
 * deadlines the one set first comes first. A binary heap with lazy removal, so that scheduling,
 * cancelling and finding the next deadline stay O(log n) however many keys are pending; replaced
 * entries are dropped when they reach the top, or all at once when they outnumber the live ones.
 */
export class TimerQueue<T> {
  private heap: Entry<T>[] = [];
  private readonly live = new Map<string, Entry<T>>();
  private seq = 0;

  get size(): number {
    return this.live.size;
  }

  /** The deadline of `key`, if one is set. */
  deadlineOf(key: string): number | undefined {
    return this.live.get(key)?.at;
  }

  set(key: string, at: number, value: T): void {
    const entry = { key, at, seq: this.seq++, value };
    this.live.set(key, entry);
    this.push(entry);
    if (this.heap.length > 2 * this.live.size + 64) this.rebuild();
  }

  delete(key: string): void {
    this.live.delete(key);
  }

  nextDeadline(): number | undefined {
    this.dropReplaced();
    return this.heap[0]?.at;
  }

  /** Removes and returns the earliest value due at `now`, if any. */
  takeDue(now: number): T | undefined {
    this.dropReplaced();
    const top = this.heap[0];
    if (top === undefined || top.at > now) return undefined;
    this.pop();
    this.live.delete(top.key);
    return top.value;
  }

  values(): IterableIterator<T> {
    const entries = this.live.values();
    return (function* () {
      for (const entry of entries) yield entry.value;
    })();
  }

  private dropReplaced(): void {
    while (this.heap.length > 0 && this.live.get(this.heap[0].key) !== this.heap[0]) this.pop();
  }

  private rebuild(): void {
    this.heap = [...this.live.values()].sort(before);
  }

  private push(entry: Entry<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(heap[parent], heap[i]) <= 0) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left], heap[smallest]) < 0) smallest = left;
      if (right < heap.length && before(heap[right], heap[smallest]) < 0) smallest = right;
      if (smallest === i) return;
      [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
      i = smallest;
    }
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): number {
  return a.at - b.at || a.seq - b.seq;
}
