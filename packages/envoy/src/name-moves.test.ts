import { describe, expect, it } from 'vitest';
import { NameMoves } from './name-moves.js';

describe('NameMoves', () => {
  it('says a set of names is untouched since a compile exactly when no move since touched it', () => {
    const moves = new NameMoves();
    moves.record(1, []);
    moves.record(2, ['a']);
    moves.record(3, []);
    moves.record(4, ['b', 'c']);
    const names = (...n: string[]) => new Set(n);
    expect(moves.untouched(4, names('a', 'b'))).toBe(true);
    expect(moves.untouched(3, names('a'))).toBe(true);
    expect(moves.untouched(3, names('c'))).toBe(false);
    expect(moves.untouched(1, names('b'))).toBe(false);
    expect(moves.untouched(1, names('x'))).toBe(true);
    // Without names: only when nothing moved at all.
    expect(moves.untouched(2)).toBe(false);
    expect(moves.untouched(4)).toBe(true);
    moves.record(5, undefined);
    expect(moves.untouched(4, names('x'))).toBe(false);
    expect(moves.untouched(5, names('x'))).toBe(true);
    // Not recorded yet, or forgotten.
    expect(moves.untouched(6, names('x'))).toBe(false);
    // (Compiles 6 … 6 + kept: the moves after 6 are all remembered, not those after 5.)
    for (let c = 6; c <= 6 + NameMoves.kept; c++) moves.record(c, []);
    expect(moves.untouched(5, names('x'))).toBe(false);
    expect(moves.untouched(6, names('x'))).toBe(true);
    // A gap in the compiles forgets what came before.
    moves.record(100, []);
    expect(moves.untouched(6 + NameMoves.kept, names('x'))).toBe(false);
    expect(moves.untouched(100, names('x'))).toBe(true);
  });
});
