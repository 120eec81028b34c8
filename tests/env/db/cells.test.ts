import { describe, expect, it } from 'vitest';
import { bigintToCell, blobToCell, capText, truncateUtf8 } from '../../../src/env/db/cells.js';

describe('cells', () => {
  it('turns bigints into numbers while exact, else into decimal strings', () => {
    expect(bigintToCell(42n)).toBe(42);
    expect(bigintToCell(9007199254740991n)).toBe(9007199254740991);
    expect(bigintToCell(-9007199254740991n)).toBe(-9007199254740991);
    expect(bigintToCell(9007199254740992n)).toBe('9007199254740992');
    expect(bigintToCell(-9223372036854775808n)).toBe('-9223372036854775808');
  });

  it('cuts UTF-8 text on character boundaries', () => {
    expect(truncateUtf8('abc', 5)).toBe('abc');
    expect(truncateUtf8('héllo', 2)).toBe('h');
    expect(truncateUtf8('héllo', 3)).toBe('hé');
    expect(truncateUtf8('a😀b', 4)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
    expect(truncateUtf8('abc', 0)).toBe('');
  });

  it('caps text by bytes and says whether it cut', () => {
    expect(capText('short', 64)).toEqual({ cell: 'short', isCut: false });
    expect(capText('ééé', 6)).toEqual({ cell: 'ééé', isCut: false });
    expect(capText('ééé', 5)).toEqual({ cell: 'éé', isCut: true });
  });

  it('writes BLOBs as \\x-hex, keeping at most capBytes bytes', () => {
    expect(blobToCell(Buffer.from([0, 255, 16]), 10)).toEqual({ cell: '\\x00ff10', isCut: false });
    expect(blobToCell(new Uint8Array([1, 2, 3, 4]), 2)).toEqual({ cell: '\\x0102', isCut: true });
    const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    expect(blobToCell(view, 10)).toEqual({ cell: '\\x0807', isCut: false });
  });
});
