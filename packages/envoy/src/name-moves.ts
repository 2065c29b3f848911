/**
 * Which names came or went at each of the last compiles (the emitted clusters, say), so that a
 * finding checked at any recent compile — not only the last one — is known valid by looking at
 * the few names that moved since, instead of every name it depends on.
 */
export class NameMoves {
  /** #moves[i]: the names that moved at compile #first + i; undefined when not known (many). */
  #moves: (readonly string[] | undefined)[] = [];
  #first = 0;

  /** At most this many compiles are remembered (an entry checked longer ago is checked again). */
  static readonly kept = 64;

  /** The names that moved at `compile` (the one after the last recorded; a gap forgets the rest). */
  record(compile: number, moved: readonly string[] | undefined): void {
    if (compile !== this.#first + this.#moves.length) {
      this.#moves = [];
      this.#first = compile;
    }
    this.#moves.push(moved);
    if (this.#moves.length > NameMoves.kept) {
      this.#moves.shift();
      this.#first++;
    }
  }

  /**
   * True when every compile recorded after `checked` is known and moved none of `names` (all
   * of them when `names` is undefined): what was true of those names at `checked` still is.
   */
  untouched(checked: number, names?: ReadonlySet<string>): boolean {
    const end = this.#first + this.#moves.length;
    if (checked < this.#first - 1 || checked >= end) return false;
    for (let c = checked + 1; c < end; c++) {
      const moved = this.#moves[c - this.#first];
      if (moved === undefined) return false;
      if (moved.length === 0) continue;
      if (names === undefined) return false;
      for (let i = 0; i < moved.length; i++) if (names.has(moved[i]!)) return false;
    }
    return true;
  }
}
