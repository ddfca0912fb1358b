/**
 * The process-wide table of live threads, in shared memory: every weft thread gets it at
 * start, so `enumerate()`, `activeCount()` and the names of other threads give the same
 * answers in every thread, at once, without asking anyone (Python keeps one `_active`
 * dict per process; this is that dict, readable from every worker).
 *
 * Layout: a growable `SharedArrayBuffer`; a header, then fixed-size slots. A slot is
 * claimed with a compare-and-swap on its `OWNER` word and written under its own sequence
 * lock (`SEQ` odd while a writer is inside), so readers take consistent snapshots without
 * ever blocking a writer. Nothing here waits for another thread for long: a writer that
 * was terminated half-way through a write (the only way a lock can be left held) is
 * overtaken after a bounded spin, at worst leaving one torn name, never a hang.
 * @module
 */
import { waitChange } from '../shared/word-wait.js';

// Header words.
const USED = 0; // slots handed out so far (high-water mark)
const COUNTER = 1; // the `Thread-N` counter, one per process as in Python
const POOL_COUNTER = 2; // the `ThreadPoolExecutor-N` counter, one per process as in Python
const HEADER_BYTES = 16;

// Slot words.
const OWNER = 0; // 0: free; else the claiming thread's ident + 1
const SEQ = 1; // sequence lock: odd while written
const GEN = 2; // changes when the slot is taken and when it is freed (joiners wait on it)
const IDENT = 3;
const PARENT = 4;
const FLAGS = 5;
const NAME_LENGTH = 6; // full length of the name; at most NAME_CAPACITY units are kept
const SECTIONS = 7; // shared-memory sections the thread is inside, and STOPPING (see stopOutsideSections)
const SLOT_HEADER_WORDS = 8;

/** Set in `SECTIONS` before the thread is terminated: it enters no more sections. */
export const STOPPING = 1 << 30;
/** How long a terminate waits between looks at a thread still inside a section. */
const SECTION_CHECK_MS = 50;

const ALIVE = 1;
const DAEMON = 2;

/** UTF-16 units of a name that other threads can read back (longer names are cut there). */
export const NAME_CAPACITY = 256;
const SLOT_BYTES = SLOT_HEADER_WORDS * 4 + NAME_CAPACITY * 2;
const INITIAL_SLOTS = 32;
const MAX_SLOTS = 65_536;
/** Spins before a writer assumes the lock holder died mid-write and goes ahead. */
const SPIN_LIMIT = 1_000_000;

/** One live thread as the table knows it. */
export interface TableEntry {
  readonly slot: number;
  readonly gen: number;
  readonly ident: number;
  readonly parent: number;
  readonly daemon: boolean;
  /** The name, cut at `NAME_CAPACITY` units. */
  readonly name: string;
  /** The name's full length (greater than `name.length` when it was cut). */
  readonly nameLength: number;
}

/** Where a registered thread lives in the table: a slot and the generation it holds. */
export interface TableKey {
  readonly slot: number;
  readonly gen: number;
}

/** The main thread's place: the first slot, taken when the table is made. */
export const MAIN_KEY: TableKey = { slot: 0, gen: 1 };

export class ThreadTable {
  private readonly words: Int32Array;
  private readonly units: Uint16Array;

  /** Opens `buffer` (one made by `ThreadTable.create()`, shared with this thread). */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
    this.units = new Uint16Array(buffer);
  }

  /** A new table whose first slot (`MAIN_KEY`) is the main thread: ident 0, `MainThread`. */
  static create(): ThreadTable {
    const Growable = SharedArrayBuffer as unknown as new (
      length: number,
      options: { maxByteLength: number },
    ) => SharedArrayBuffer;
    const table = new ThreadTable(
      new Growable(HEADER_BYTES + INITIAL_SLOTS * SLOT_BYTES, {
        maxByteLength: HEADER_BYTES + MAX_SLOTS * SLOT_BYTES,
      }),
    );
    table.activate(table.claim(-1, false, 'MainThread', 0), 0);
    return table;
  }

  /** The next number for a default `Thread-N` name. */
  nextNameNumber(): number {
    return Atomics.add(this.words, COUNTER, 1) + 1;
  }

  /** The next number for a default `ThreadPoolExecutor-N` prefix (from 0, as in Python). */
  nextPoolNumber(): number {
    return Atomics.add(this.words, POOL_COUNTER, 1);
  }

  /**
   * Reserves a slot for a thread about to start, by the thread `parent` (which frees it
   * again); it counts as alive once `activate` gives it its ident.
   */
  claim(parent: number, daemon: boolean, name: string, owner = parent): TableKey {
    const slot = this.freeSlot(owner);
    const base = this.base(slot);
    const seq = this.lock(base);
    const gen = Atomics.add(this.words, base + GEN, 1) + 1;
    Atomics.store(this.words, base + IDENT, -1);
    Atomics.store(this.words, base + PARENT, parent);
    Atomics.store(this.words, base + SECTIONS, 0);
    this.writeName(base, name);
    Atomics.store(this.words, base + FLAGS, daemon ? DAEMON : 0);
    this.unlock(base, seq);
    return { slot, gen };
  }

  /** Marks the thread reserved at `key` as alive, with its ident. */
  activate(key: TableKey, ident: number): void {
    const base = this.base(key.slot);
    const seq = this.lock(base);
    if (Atomics.load(this.words, base + GEN) === key.gen) {
      Atomics.store(this.words, base + IDENT, ident);
      Atomics.or(this.words, base + FLAGS, ALIVE);
    }
    this.unlock(base, seq);
  }

  /**
   * Frees `key`'s slot (if it still holds that generation) and, since a worker's own
   * workers end with it, the slots of every thread started beneath it. Wakes its joiners.
   */
  release(key: TableKey): void {
    const ident = this.freeIfCurrent(key);
    if (ident !== undefined && ident >= 0) this.releaseChildrenOf(ident);
  }

  /** Whether `key` still names a live thread. */
  isAlive(key: TableKey): boolean {
    const entry = this.read(key.slot);
    return entry !== undefined && entry.gen === key.gen;
  }

  /** The entry at `key`, or `undefined` once that thread has ended. */
  entry(key: TableKey): TableEntry | undefined {
    const entry = this.read(key.slot);
    return entry !== undefined && entry.gen === key.gen ? entry : undefined;
  }

  /** Renames the thread at `key`; `false` when it has ended. */
  rename(key: TableKey, name: string): boolean {
    const base = this.base(key.slot);
    const seq = this.lock(base);
    const current =
      Atomics.load(this.words, base + GEN) === key.gen &&
      (Atomics.load(this.words, base + FLAGS) & ALIVE) !== 0;
    if (current) this.writeName(base, name);
    this.unlock(base, seq);
    return current;
  }

  /** Every live thread, in ident order (creation order). */
  entries(): TableEntry[] {
    const used = Math.min(Atomics.load(this.words, USED), this.capacity());
    const out: TableEntry[] = [];
    for (let slot = 0; slot < used; slot++) {
      const entry = this.read(slot);
      if (entry !== undefined) out.push(entry);
    }
    return out.sort((a, b) => a.ident - b.ident);
  }

  /** The generation of the live thread in `slot`, or `undefined` when no live thread holds it. */
  genAt(slot: number): number | undefined {
    if (slot < 0 || slot >= this.capacity()) return undefined;
    // Only the two words it needs (no name to decode): shared locks ask on every release.
    const base = this.base(slot);
    const words = this.words;
    return this.seqRead(base, () =>
      (Atomics.load(words, base + FLAGS) & ALIVE) !== 0
        ? Atomics.load(words, base + GEN)
        : undefined,
    );
  }

  /**
   * The word that counts the shared-memory sections (a shared primitive's word mutex) `key`'s
   * thread is inside: the thread itself counts, its terminator reads (`stopOutsideSections`).
   */
  sectionsWord(key: TableKey): { words: Int32Array; index: number } {
    // A view of the slot alone, of fixed length: Atomics on a view that tracks a growable
    // buffer's length measured 4 times slower, and every shared mutex pass counts here
    // twice. Slots never move, so the view stays right as the table grows.
    const slot = new Int32Array(this.buffer, this.base(key.slot) * 4, SLOT_HEADER_WORDS);
    return { words: slot, index: SECTIONS };
  }

  /**
   * Before `key`'s thread is terminated (by the thread that started it, while it has not
   * ended): marks it `STOPPING`, so that it enters no more sections, and resolves once it is
   * inside none. A thread terminated inside a section would keep it held, and while its
   * terminator blocks on it, nobody could ever see the thread end and take it over.
   */
  async stopOutsideSections(key: TableKey): Promise<void> {
    const index = this.base(key.slot) + SECTIONS;
    let now = Atomics.or(this.words, index, STOPPING) | STOPPING;
    while (now !== STOPPING && Atomics.load(this.words, this.base(key.slot) + GEN) === key.gen) {
      await waitChange(this.words, index, now, SECTION_CHECK_MS);
      now = Atomics.load(this.words, index);
    }
  }

  /** The shared words and the index that changes when `key`'s thread ends (for `Atomics.waitAsync`). */
  endWatch(key: TableKey): { words: Int32Array; index: number } {
    return { words: this.words, index: this.base(key.slot) + GEN };
  }

  private read(slot: number): TableEntry | undefined {
    const base = this.base(slot);
    const words = this.words;
    return this.seqRead(base, () => {
      const flags = Atomics.load(words, base + FLAGS);
      if ((flags & ALIVE) === 0) return undefined;
      const nameLength = Atomics.load(words, base + NAME_LENGTH);
      return {
        slot,
        gen: Atomics.load(words, base + GEN),
        ident: Atomics.load(words, base + IDENT),
        parent: Atomics.load(words, base + PARENT),
        daemon: (flags & DAEMON) !== 0,
        name: this.readName(base, nameLength),
        nameLength,
      };
    });
  }

  /**
   * Runs `body` over the words of the slot at `base` until no writer came in between (a
   * seqlock read); a torn read is returned only after a writer that died mid-write.
   */
  private seqRead<R>(base: number, body: () => R): R {
    const words = this.words;
    for (let attempt = 0; ; attempt++) {
      const before = Atomics.load(words, base + SEQ);
      if ((before & 1) === 1 && attempt < SPIN_LIMIT) continue;
      const value = body();
      if (before === Atomics.load(words, base + SEQ) || attempt >= SPIN_LIMIT) return value;
    }
  }

  private freeIfCurrent(key: TableKey): number | undefined {
    const base = this.base(key.slot);
    const seq = this.lock(base);
    let ident: number | undefined;
    if (Atomics.load(this.words, base + GEN) === key.gen) {
      ident = Atomics.load(this.words, base + IDENT);
      Atomics.store(this.words, base + FLAGS, 0);
      Atomics.add(this.words, base + GEN, 1);
    }
    this.unlock(base, seq);
    if (ident !== undefined) {
      Atomics.store(this.words, base + OWNER, 0);
      Atomics.notify(this.words, base + GEN);
    }
    return ident;
  }

  private releaseChildrenOf(parent: number): void {
    for (const entry of this.entries()) {
      if (entry.parent === parent && entry.ident !== parent) this.release(entry);
    }
  }

  /** Takes a free slot, growing the table when every slot is taken. */
  private freeSlot(owner: number): number {
    const used = Math.min(Atomics.load(this.words, USED), this.capacity());
    for (let slot = 0; slot < used; slot++) {
      if (Atomics.compareExchange(this.words, this.base(slot) + OWNER, 0, owner + 1) === 0) {
        return slot;
      }
    }
    for (;;) {
      const slot = Atomics.add(this.words, USED, 1);
      if (slot >= MAX_SLOTS) {
        Atomics.sub(this.words, USED, 1);
        throw new RangeError(`weft: more than ${MAX_SLOTS} threads are alive at once`);
      }
      this.ensureCapacity(slot + 1);
      if (Atomics.compareExchange(this.words, this.base(slot) + OWNER, 0, owner + 1) === 0) {
        return slot;
      }
    }
  }

  private ensureCapacity(slots: number): void {
    const need = HEADER_BYTES + slots * SLOT_BYTES;
    const buffer = this.buffer as SharedArrayBuffer & {
      readonly maxByteLength: number;
      grow(length: number): void;
    };
    while (buffer.byteLength < need) {
      const target = Math.min(
        buffer.maxByteLength,
        Math.max(need, HEADER_BYTES + 2 * this.capacity() * SLOT_BYTES),
      );
      try {
        buffer.grow(target);
      } catch (error) {
        // Another thread grew it past `target` first (growing never shrinks): check again.
        if (buffer.byteLength < target) throw error;
      }
    }
  }

  private capacity(): number {
    return Math.floor((this.buffer.byteLength - HEADER_BYTES) / SLOT_BYTES);
  }

  private base(slot: number): number {
    return (HEADER_BYTES + slot * SLOT_BYTES) / 4;
  }

  /** Enters the slot's sequence lock; returns the (odd) value to leave it with. */
  private lock(base: number): number {
    const words = this.words;
    for (let spins = 0; ; spins++) {
      const seq = Atomics.load(words, base + SEQ);
      if ((seq & 1) === 0) {
        if (Atomics.compareExchange(words, base + SEQ, seq, seq + 1) === seq) return seq + 1;
      } else if (spins >= SPIN_LIMIT) {
        // The holder was terminated mid-write: take the lock over.
        Atomics.store(words, base + SEQ, seq + 2);
        return seq + 2;
      }
    }
  }

  private unlock(base: number, seq: number): void {
    Atomics.store(this.words, base + SEQ, seq + 1);
  }

  private writeName(base: number, name: string): void {
    const kept = Math.min(name.length, NAME_CAPACITY);
    const at = base * 2 + SLOT_HEADER_WORDS * 2;
    for (let i = 0; i < kept; i++) this.units[at + i] = name.charCodeAt(i);
    Atomics.store(this.words, base + NAME_LENGTH, name.length);
  }

  private readName(base: number, length: number): string {
    const at = base * 2 + SLOT_HEADER_WORDS * 2;
    const kept = Math.min(Math.max(length, 0), NAME_CAPACITY);
    return String.fromCharCode(...this.units.subarray(at, at + kept));
  }
}
