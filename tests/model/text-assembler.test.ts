import { describe, expect, it } from 'vitest';
import { createTextAssembler } from '../../src/model/text-assembler.js';

// A toy "tokenizer": each id is one UTF-8 byte, so multi-byte characters span several tokens.
const bytes = (s: string) => [...new TextEncoder().encode(s)];
const decode = (ids: readonly number[]) => new TextDecoder().decode(Uint8Array.from(ids));

function feed(text: string, stops: string[] = []) {
  const asm = createTextAssembler(decode, stops);
  const chunks: string[] = [];
  let isStopped = false;
  for (const id of bytes(text)) {
    const r = asm.push(id);
    if (r.chunk !== '') chunks.push(r.chunk);
    if (r.isStopped) {
      isStopped = true;
      break;
    }
  }
  const rest = asm.flush();
  if (rest !== '') chunks.push(rest);
  return { chunks, text: asm.text, isStopped };
}

describe('createTextAssembler', () => {
  it('never emits half of a multi-byte character', () => {
    const { chunks, text } = feed('né日');
    expect(chunks).toEqual(['n', 'é', '日']);
    expect(text).toBe('né日');
  });

  it('ends before a stop string and never emits any part of it', () => {
    const { chunks, text, isStopped } = feed('SELECT 1;\nmore text', [';\n']);
    expect(isStopped).toBe(true);
    expect(text).toBe('SELECT 1');
    expect(chunks.join('')).toBe('SELECT 1');
  });

  it('releases held-back text that turned out not to start a stop string', () => {
    const { chunks, text, isStopped } = feed('a``b', ['```']);
    expect(isStopped).toBe(false);
    expect(text).toBe('a``b');
    expect(chunks.join('')).toBe('a``b');
    expect(chunks).toContain('``b');
  });

  it('returns held-back text from flush when generation ends without a stop', () => {
    const { chunks } = feed('ab`', ['```']);
    expect(chunks).toEqual(['a', 'b', '`']);
  });

  it('stops on the earliest of several stop strings', () => {
    expect(feed('x END y STOP', ['STOP', 'END']).text).toBe('x ');
  });
});
