const gone = Symbol('gone');

/**
 * A map made from another by a few changes, without copying it: lookups go to
 * the changes, then to the base (under an incremental compiler, this compile's
 * upstreams over the last compile's). The base must not change afterwards (the
 * last compile's results never do). Iterating or counting makes a flat copy
 * once. A chain of overlays is flattened when it grows deep, so a lookup costs
 * a few map lookups at most.
 */
export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  private readonly own = new Map<K, V | typeof gone>();
  private readonly base: ReadonlyMap<K, V>;
  private flat: Map<K, V> | undefined;
  readonly depth: number;

  constructor(base: ReadonlyMap<K, V>, maxDepth = 8) {
    if (base instanceof OverlayMap && base.depth >= maxDepth) {
      this.base = base.materialize();
      this.depth = 1;
    } else {
      this.base = base;
      this.depth = base instanceof OverlayMap ? base.depth + 1 : 1;
    }
  }

  set(key: K, value: V): this {
    this.own.set(key, value);
    this.flat = undefined;
    return this;
  }

  delete(key: K): boolean {
    const had = this.has(key);
    this.own.set(key, gone);
    this.flat = undefined;
    return had;
  }

  get(key: K): V | undefined {
    const value = this.own.get(key);
    if (value !== undefined) return value === gone ? undefined : value;
    if (this.own.has(key)) return undefined;
    return this.base.get(key);
  }

  has(key: K): boolean {
    const value = this.own.get(key);
    if (value !== undefined) return value !== gone;
    return !this.own.has(key) && this.base.has(key);
  }

  get size(): number {
    return this.materialize().size;
  }

  /**
   * A plain map of the same entries (the base's first, in its order; new keys after). A chain
   * is applied layer by layer onto one copy of its deepest flat map (materializing each layer
   * through its base would copy the whole map once per layer).
   */
  materialize(): Map<K, V> {
    if (this.flat === undefined) {
      const layers: Array<OverlayMap<K, V>> = [];
      let base: ReadonlyMap<K, V> = this;
      while (base instanceof OverlayMap && base.flat === undefined) {
        layers.push(base);
        base = base.base;
      }
      const flat = new Map<K, V>(base instanceof OverlayMap ? base.flat! : base);
      for (let i = layers.length - 1; i >= 0; i--) {
        for (const [key, value] of layers[i]!.own) {
          if (value === gone) flat.delete(key);
          else flat.set(key, value);
        }
      }
      this.flat = flat;
    }
    return this.flat;
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.materialize()) callback.call(thisArg, value, key, this);
  }

  entries(): MapIterator<[K, V]> {
    return this.materialize().entries();
  }

  keys(): MapIterator<K> {
    return this.materialize().keys();
  }

  values(): MapIterator<V> {
    return this.materialize().values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.materialize()[Symbol.iterator]();
  }
}
