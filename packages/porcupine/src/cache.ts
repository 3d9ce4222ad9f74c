/**
 * The search's memo cache: a set of (linearized-ops bitset, model state) configurations.
 *
 * Open addressing over typed arrays: bitsets live in one flat `Uint32Array` pool (no per-entry
 * objects), states in a plain array. The 32-bit key only chooses a slot; membership is decided
 * by exact bitset equality plus the model's `equal`, as in Go porcupine.
 */

const EMPTY = -1;

/** A grow-only set of configurations; see the module comment. */
export class ConfigCache<S> {
  /** Words per bitset. */
  private readonly words: number;
  private readonly equal: (a: S, b: S) => boolean;
  /** Slot -> entry index, or EMPTY. Size is a power of two, kept at most half full. */
  private table: Int32Array;
  private mask: number;
  /** Entry -> its 32-bit key (avoids comparing bitsets on most collisions). */
  private keys: Int32Array;
  /** Entry e's bitset is `pool[e * words, (e + 1) * words)`. */
  private pool: Uint32Array;
  private readonly states: S[] = [];
  /** Number of entries stored. */
  size = 0;

  /** `words` is the bitset length in 32-bit words; `equal` the model's state equality. */
  constructor(words: number, equal: (a: S, b: S) => boolean, initialCapacity = 1024) {
    this.words = words;
    this.equal = equal;
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.table = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.keys = new Int32Array(initialCapacity);
    this.pool = new Uint32Array(initialCapacity * Math.max(words, 1));
  }

  /**
   * Adds the configuration unless an equal one is present. Returns true if it was added (a new
   * configuration), false if it was already cached.
   */
  addIfAbsent(key: number, bits: Uint32Array, state: S): boolean {
    const words = this.words;
    const table = this.table;
    const keys = this.keys;
    const pool = this.pool;
    let slot = mixKey(key) & this.mask;
    for (;;) {
      const e = table[slot]!;
      if (e === EMPTY) break;
      if (keys[e] === key) {
        let same = true;
        const base = e * words;
        for (let w = 0; w < words; w++) {
          if (pool[base + w] !== bits[w]) {
            same = false;
            break;
          }
        }
        if (same && this.equal(this.states[e]!, state)) return false;
      }
      slot = (slot + 1) & this.mask;
    }
    const e = this.size;
    if (e === keys.length) this.growEntries();
    this.keys[e] = key;
    this.pool.set(bits, e * words);
    this.states.push(state);
    this.size = e + 1;
    table[slot] = e;
    if (this.size * 2 > table.length) this.rehash();
    return true;
  }

  private growEntries(): void {
    const cap = this.keys.length * 2;
    const keys = new Int32Array(cap);
    keys.set(this.keys);
    this.keys = keys;
    const pool = new Uint32Array(cap * Math.max(this.words, 1));
    pool.set(this.pool);
    this.pool = pool;
  }

  private rehash(): void {
    const cap = this.table.length * 2;
    const table = new Int32Array(cap).fill(EMPTY);
    const mask = cap - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = mixKey(this.keys[e]!) & mask;
      while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
      table[slot] = e;
    }
    this.table = table;
    this.mask = mask;
  }
}

/** Final avalanche (murmur3 fmix32) so that low bits of the slot index depend on every key bit. */
function mixKey(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
