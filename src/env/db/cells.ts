import type { Cell } from './engine.js';

/** A value after the cell cap: the (possibly shortened) value and whether it was cut. */
export interface CappedCell {
  cell: string;
  isCut: boolean;
}

/** An integer as a JSON-safe cell: a number when it fits exactly in a double, else its decimal string. */
export function bigintToCell(value: bigint): Cell {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let cut = Math.max(0, maxBytes);
  // why: a UTF-8 continuation byte (10xxxxxx) at the cut means the cut falls inside a character.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
  return bytes.toString('utf8', 0, cut);
}

/** Caps a text cell at `capBytes` UTF-8 bytes. */
export function capText(text: string, capBytes: number): CappedCell {
  // why: a UTF-8 character is at most 3 bytes per UTF-16 unit, so short strings skip the byte count.
  if (text.length * 3 <= capBytes || Buffer.byteLength(text, 'utf8') <= capBytes) return { cell: text, isCut: false };
  return { cell: truncateUtf8(text, capBytes), isCut: true };
}

/** A BLOB as `\x<hex>`, keeping at most `capBytes` of its bytes. */
export function blobToCell(bytes: Uint8Array, capBytes: number): CappedCell {
  const isCut = bytes.length > capBytes;
  const kept = isCut ? bytes.subarray(0, capBytes) : bytes;
  return { cell: `\\x${Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength).toString('hex')}`, isCut };
}
