import { describe, expect, it } from 'vitest';
import { hasColumnPermutation } from '../../../src/env/grade/column-permutation.js';

const k = (rows: (string | number | null)[][]) => rows.map((r) => r.map((c) => JSON.stringify(c)));

describe('hasColumnPermutation', () => {
  it('accepts the identity and a reordering of columns, in both modes', () => {
    const gold = k([[1, 'a', null], [2, 'b', 'x']]);
    expect(hasColumnPermutation(gold, gold, true)).toBe(true);
    expect(hasColumnPermutation(gold, k([['a', null, 1], ['b', 'x', 2]]), true)).toBe(true);
    expect(hasColumnPermutation(gold, k([['b', 'x', 2], ['a', null, 1]]), false)).toBe(true);
    expect(hasColumnPermutation(gold, k([['b', 'x', 2], ['a', null, 1]]), true)).toBe(false);
  });

  it('needs one permutation for all rows, not one per row (over 3 columns)', () => {
    const gold = k([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]]);
    expect(hasColumnPermutation(gold, k([[5, 4, 3, 2, 1], [1, 2, 3, 4, 5]]), false)).toBe(true);
    expect(hasColumnPermutation(gold, k([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]), false)).toBe(false);
    expect(hasColumnPermutation(gold, k([[2, 1, 3, 4, 5], [4, 5, 3, 2, 1]]), true)).toBe(true);
  });

  it('compares bags with their duplicate counts', () => {
    const gold = k([[1, 'a'], [1, 'a'], [2, 'b']]);
    expect(hasColumnPermutation(gold, k([['a', 1], ['b', 2], ['a', 1]]), false)).toBe(true);
    expect(hasColumnPermutation(gold, k([['a', 1], ['b', 2], ['b', 2]]), false)).toBe(false);
  });

  it('finishes quickly on wide results whose columns all look alike', () => {
    const width = 14;
    const rows = Array.from({ length: 30 }, (_, r) => Array.from({ length: width }, (_, c) => (r >> c % 4) & 1));
    const rotated = rows.map((row) => [...row.slice(1), row[0] ?? 0]);
    expect(hasColumnPermutation(k(rows), k(rotated), false)).toBe(true);
    expect(hasColumnPermutation(k(rows), k(rows.map((row) => row.map((v) => 1 - v))), false)).toBe(false);
  });
});
