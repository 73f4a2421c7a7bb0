/**
 * A map that keeps the `capacity` keys set most recently, first in, first out: a new key
 * drops the oldest once the map is full; setting a key that is there replaces its value
 * and keeps its place.
 *
 * The oldest key is found through a ring of keys in insertion order, not through
 * `map.keys().next()`: V8 leaves a hole for every deleted entry until the table is
 * rehashed, and a fresh iterator walks past all of them, so evicting that way costs time
 * in proportion to the holes — about 15 µs per insert at 20,000 entries (we measured it:
 * it was the largest single cost of a keyed check-in).
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, { value: V; seq: number }>();
  private readonly ring: Array<K | undefined>;
  /** Sets so far; set number `seq` owns ring slot `seq % capacity`. */
  private seq = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<K | undefined>(Math.max(0, capacity));
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const cap = this.ring.length;
    if (cap === 0) return;
    const entry = this.map.get(key);
    if (entry !== undefined) {
      entry.value = value;
      return;
    }
    const seq = this.seq++;
    const slot = seq % cap;
    const old = this.ring[slot];
    // The slot's previous key is dropped unless it was deleted and set again since (then a
    // newer slot holds it).
    if (old !== undefined && this.map.get(old)?.seq === seq - cap) this.map.delete(old);
    this.ring[slot] = key;
    this.map.set(key, { value, seq });
  }

  delete(key: K): void {
    this.map.delete(key); // its ring slot is skipped when reached: no entry has that seq
  }
}
