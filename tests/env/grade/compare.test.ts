import { describe, expect, it } from 'vitest';
import type { Cell } from '../../../src/env/db/engine.js';
import {
  birdResultEq,
  cellF1,
  compareCodePoints,
  resultsMatch,
  spiderResultEq,
  type ResultTable,
} from '../../../src/env/grade/compare.js';

/** A result table; `floats` lists [row, col] cells that were REAL although integral (e.g. 1.0). */
function table(rows: Cell[][], floats: [number, number][] = []): ResultTable {
  const width = rows[0]?.length ?? 1;
  return {
    columns: Array.from({ length: width }, (_, i) => `c${i}`),
    rows,
    floatCells: floats.map(([r, c]) => r * width + c),
  };
}

describe('spiderResultEq: sizes and shapes', () => {
  it('matches two empty results, even with different column counts', () => {
    expect(spiderResultEq({ columns: ['a'], rows: [], floatCells: [] }, { columns: ['a', 'b'], rows: [], floatCells: [] }, false)).toBe(true);
  });

  it('rejects an empty prediction against a non-empty gold, and the reverse', () => {
    expect(spiderResultEq(table([[1]]), table([]), false)).toBe(false);
    expect(spiderResultEq(table([]), table([[1]]), false)).toBe(false);
  });

  it('rejects different row counts and different column counts', () => {
    expect(spiderResultEq(table([[1], [2]]), table([[1]]), false)).toBe(false);
    expect(spiderResultEq(table([[1, 2]]), table([[1, 2, 3]]), false)).toBe(false);
  });
});

describe('spiderResultEq: bag versus ordered', () => {
  const gold = table([[1, 'a'], [2, 'b'], [3, 'c']]);
  const shuffled = table([[3, 'c'], [1, 'a'], [2, 'b']]);

  it('ignores row order without ORDER BY and honours it with ORDER BY', () => {
    expect(spiderResultEq(gold, shuffled, false)).toBe(true);
    expect(spiderResultEq(gold, shuffled, true)).toBe(false);
    expect(spiderResultEq(gold, table([[1, 'a'], [2, 'b'], [3, 'c']]), true)).toBe(true);
  });

  it('compares bags as multisets: same set, different duplicate counts is a miss', () => {
    const g = table([[1, 'a'], [1, 'a'], [2, 'b']]);
    const p = table([[1, 'a'], [2, 'b'], [2, 'b']]);
    expect(spiderResultEq(g, p, false)).toBe(false);
    expect(birdResultEq(g, p)).toBe(true);
  });

  it('rejects a prediction whose cells regroup across rows', () => {
    expect(spiderResultEq(table([[1, 2], [2, 1]]), table([[1, 1], [2, 2]]), false)).toBe(false);
  });
});

describe('spiderResultEq: column permutation', () => {
  it('accepts the right columns in another order (bag and ordered)', () => {
    const gold = table([[1, 'x'], [2, 'y']]);
    expect(spiderResultEq(gold, table([['x', 1], ['y', 2]]), true)).toBe(true);
    expect(spiderResultEq(gold, table([['y', 2], ['x', 1]]), false)).toBe(true);
    expect(spiderResultEq(gold, table([['y', 2], ['x', 1]]), true)).toBe(false);
  });

  it('finds the permutation over more than 3 columns (the pruned path)', () => {
    const gold = table([
      [1, 'a', 10, null, 2.5],
      [2, 'b', 20, 'n', 3.5],
      [3, 'c', 30, null, 4.5],
    ]);
    const pred = table([
      [3.5, 'n', 20, 'b', 2],
      [2.5, null, 10, 'a', 1],
      [4.5, null, 30, 'c', 3],
    ]);
    expect(spiderResultEq(gold, pred, false)).toBe(true);
    expect(spiderResultEq(gold, pred, true)).toBe(false);
  });

  it('rejects over more than 3 columns when no single permutation fits every row', () => {
    const gold = table([
      [1, 2, 3, 4],
      [2, 1, 4, 3],
    ]);
    const pred = table([
      [1, 2, 3, 4],
      [1, 2, 4, 3],
    ]);
    expect(spiderResultEq(gold, pred, false)).toBe(false);
  });

  it('settles many interchangeable columns without enumerating every permutation', () => {
    const width = 12;
    const zeros = Array.from({ length: 50 }, () => Array.from({ length: width }, () => 0));
    expect(spiderResultEq(table(zeros), table(zeros.map((r) => [...r])), false)).toBe(true);
    const bits = Array.from({ length: 40 }, (_, r) => Array.from({ length: width }, (_, c) => ((r >> c % 6) & 1)));
    const flipped = bits.map((row) => row.map((v) => 1 - v));
    expect(spiderResultEq(table(bits), table(flipped), false)).toBe(false);
  });

  it('gives the same verdict on every call (seeded draws)', () => {
    const gold = table(Array.from({ length: 30 }, (_, r) => [r, r % 3, `s${r % 5}`, r % 2, null]));
    const pred = table(gold.rows.map((row) => [row[4] ?? null, row[3] ?? null, row[2] ?? null, row[1] ?? null, row[0] ?? null]));
    const verdicts = Array.from({ length: 5 }, () => spiderResultEq(gold, pred, false));
    expect(verdicts).toEqual([true, true, true, true, true]);
  });
});

describe('spiderResultEq: cell equality', () => {
  it('equates int and float of the same value and never a number with its text', () => {
    expect(spiderResultEq(table([[1], [2]]), table([[1], [2]], [[0, 0], [1, 0]]), false)).toBe(true);
    expect(spiderResultEq(table([[1]]), table([['1']]), false)).toBe(false);
  });

  it('equates NULL only with NULL', () => {
    expect(spiderResultEq(table([[null, 1]]), table([[null, 1]]), false)).toBe(true);
    expect(spiderResultEq(table([[null]]), table([[0]]), false)).toBe(false);
    expect(spiderResultEq(table([[null]]), table([['None']]), false)).toBe(false);
  });

  it('has no float tolerance and is case-sensitive', () => {
    expect(spiderResultEq(table([[0.3]]), table([[0.1 + 0.2]]), false)).toBe(false);
    expect(spiderResultEq(table([['Alice']]), table([['alice']]), false)).toBe(false);
  });

  it("reproduces the quick reject's type-sensitive sort: (1, 1.5) vs (1.0, 1.5) is a miss", () => {
    // why: Python sorts the row by str(v)+str(type(v)): "1.5<class 'float'>" < "1<class 'int'>", but
    // "1.0<class 'float'>" < "1.5<class 'float'>", so the sorted rows (1.5, 1) and (1.0, 1.5) differ.
    const gold = table([[1, 1.5]]);
    const pred = table([[1, 1.5]], [[0, 0]]);
    expect(spiderResultEq(gold, pred, false)).toBe(false);
    expect(spiderResultEq(gold, table([[1, 1.5]]), false)).toBe(true);
    expect(birdResultEq(gold, pred)).toBe(true);
  });

  it('accepts int vs float when the sort keys keep the same order', () => {
    expect(spiderResultEq(table([[10, 'a']]), table([[10, 'a']], [[0, 0]]), false)).toBe(true);
  });
});

describe('birdResultEq and resultsMatch', () => {
  it('uses set semantics with significant column order in bird mode', () => {
    const gold = table([[1, 'a'], [2, 'b']]);
    expect(birdResultEq(gold, table([[2, 'b'], [1, 'a'], [1, 'a']]))).toBe(true);
    expect(birdResultEq(gold, table([['a', 1], ['b', 2]]))).toBe(false);
    expect(resultsMatch(gold, table([['a', 1], ['b', 2]]), 'bird', false)).toBe(false);
    expect(resultsMatch(gold, table([['a', 1], ['b', 2]]), 'strict', false)).toBe(true);
  });

  it('ignores ORDER BY in bird mode', () => {
    expect(resultsMatch(table([[1], [2]]), table([[2], [1]]), 'bird', true)).toBe(true);
    expect(resultsMatch(table([[1], [2]]), table([[2], [1]]), 'spider', true)).toBe(false);
  });
});

describe('cellF1', () => {
  it('is 1 for equal cell multisets, 0 for disjoint ones and in between otherwise', () => {
    expect(cellF1(table([[1, 'a']]), table([['a', 1]]))).toBe(1);
    expect(cellF1(table([[1]]), table([[2]]))).toBe(0);
    expect(cellF1(table([[1], [2]]), table([[1], [3], [4]]))).toBeCloseTo(0.4, 10);
    expect(cellF1(table([]), table([]))).toBe(1);
    expect(cellF1(table([[1]]), table([]))).toBe(0);
  });
});

describe('compareCodePoints', () => {
  it('orders by code point as Python does, not by UTF-16 unit', () => {
    expect(compareCodePoints('\uFF01', '\u{1F600}')).toBeLessThan(0);
    expect('\uFF01' < '\u{1F600}').toBe(false);
    expect(compareCodePoints('a', 'b')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('x', 'x')).toBe(0);
  });
});
