import type { Cell } from '../db/engine.js';

/** Python 3's `repr(float)` (= `str(float)`): shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa = '', exponentText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  const pointAt = exponent + 1;
  if (pointAt > 16 || pointAt < -3) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0] ?? ''}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}.0`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

/** Python's `str(int)`: all digits, never exponent form. */
function pythonIntStr(x: number): string {
  return Number.isSafeInteger(x) ? String(x) : BigInt(x).toString();
}

/**
 * Spider's quick-reject sort key `str(v) + str(type(v))` for a cell as Python's sqlite3 would return it.
 * `isFloat` says an integral number was a REAL (ExecSuccess.floatCells); a non-integral number is always a float.
 * BLOBs arrive as `\x<hex>` text and are keyed as text, not as Python bytes.
 */
export function pythonSortKey(cell: Cell, isFloat: boolean): string {
  if (cell === null) return "None<class 'NoneType'>";
  if (typeof cell === 'string') return `${cell}<class 'str'>`;
  if (isFloat || !Number.isInteger(cell)) return `${pythonFloatRepr(cell)}<class 'float'>`;
  return `${pythonIntStr(cell)}<class 'int'>`;
}
