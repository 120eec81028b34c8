import { describe, expect, it } from 'vitest';
import { pythonFloatRepr, pythonSortKey } from '../../../src/env/grade/python-cells.js';

describe('pythonFloatRepr', () => {
  it("writes floats as Python 3's repr does", () => {
    // Expected strings are Python 3.11's repr() of the same values.
    const cases: [number, string][] = [
      [1, '1.0'],
      [-2.5, '-2.5'],
      [0.1, '0.1'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      // eslint-disable-next-line no-loss-of-precision -- why: the rounding to the nearest double is what is tested
      [12345678901234567, '1.2345678901234568e+16'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.5e-7, '1.5e-07'],
      [1 / 3, '0.3333333333333333'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [-0, '-0.0'],
      [3.14e-5, '3.14e-05'],
      [0.30000000000000004, '0.30000000000000004'],
      [1e22, '1e+22'],
      [Infinity, 'inf'],
    ];
    for (const [x, repr] of cases) expect(pythonFloatRepr(x)).toBe(repr);
  });
});

describe('pythonSortKey', () => {
  it("builds str(v) + str(type(v)) for each kind of cell", () => {
    expect(pythonSortKey(null, false)).toBe("None<class 'NoneType'>");
    expect(pythonSortKey('abc', false)).toBe("abc<class 'str'>");
    expect(pythonSortKey(3, false)).toBe("3<class 'int'>");
    expect(pythonSortKey(3, true)).toBe("3.0<class 'float'>");
    expect(pythonSortKey(2.5, false)).toBe("2.5<class 'float'>");
    expect(pythonSortKey(1e21, false)).toBe("1000000000000000000000<class 'int'>");
  });
});
