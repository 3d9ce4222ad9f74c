/**
 * The search's memo cache: a set of (linearized-ops bitset, model state) configurations.
 *
 * Open addressing over typed arrays: bitsets live in one flat `Uint32Array` pool (no per-entry
 * objects), states in a plain array. The 32-bit key only chooses a slot; membership is decided
 * by exact bitset equality plus the model's `equal`, as in Go porcupine.
 */


/** A grow-only set of configurations; see the module comment. */
export class ConfigCache<S> {
  /** Words per bitset. */
  private readonly words: number;
  private readonly equal: (a: S, b: S) => boolean;
  /**
   * Open-addressing table of `[key, entry + 1]` pairs (0 = empty slot). The key sits next to the
   * entry index so that probing past other keys touches one cache line. The number of slots is
   * a power of two, kept at most half full.
   */
  private table: Int32Array;
  private mask: number;
  /** Entry -> its 32-bit key (for rehashing). */
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
    this.table = new Int32Array(cap * 2);
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
    const pool = this.pool;
    const mask = this.mask;
    let slot = mixKey(key) & mask;
    for (;;) {
      const e = table[2 * slot + 1]! - 1;
      if (e < 0) break;
      if (table[2 * slot] === key) {
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
      slot = (slot + 1) & mask;
    }
    const e = this.size;
    if (e === this.keys.length) this.growEntries();
    this.keys[e] = key;
    this.pool.set(bits, e * words);
    this.states.push(state);
    this.size = e + 1;
    table[2 * slot] = key;
    table[2 * slot + 1] = e + 1;
    if (this.size * 2 > mask + 1) this.rehash();
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
    const cap = (this.mask + 1) * 2;
    const table = new Int32Array(cap * 2);
    const mask = cap - 1;
    for (let e = 0; e < this.size; e++) {
      const key = this.keys[e]!;
      let slot = mixKey(key) & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = key;
      table[2 * slot + 1] = e + 1;
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
