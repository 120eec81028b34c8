import { describe, expect, it } from 'vitest';
import { extractSql } from '../../src/model/sql-extract.js';

describe('extractSql', () => {
  it('takes the last fenced block when there are several', () => {
    const text = 'First try:\n```sql\nSELECT 1;\n```\nBetter:\n```sql\nSELECT name FROM singer;\n```\nDone.';
    expect(extractSql(text)).toBe('SELECT name FROM singer');
  });

  it('accepts a fence without a language tag', () => {
    expect(extractSql('```\nSELECT count(*) FROM t\n```')).toBe('SELECT count(*) FROM t');
  });

  it('accepts a one-line fenced block', () => {
    expect(extractSql('Use ```SELECT 1``` here')).toBe('SELECT 1');
  });

  it('falls back to the raw text, trimmed, when there is no fence', () => {
    expect(extractSql('  SELECT a FROM b WHERE c = 1;  \n')).toBe('SELECT a FROM b WHERE c = 1');
  });

  it('strips every trailing semicolon and the whitespace between them', () => {
    expect(extractSql('SELECT 1 ; ;\n;')).toBe('SELECT 1');
  });

  it('keeps semicolons inside the statement', () => {
    expect(extractSql("```sql\nSELECT ';' FROM t;\n```")).toBe("SELECT ';' FROM t");
  });

  it('reads an unclosed final block (an answer cut at the closing fence)', () => {
    expect(extractSql('Here:\n```sql\nSELECT x FROM y;\n')).toBe('SELECT x FROM y');
  });

  it('keeps multi-line SQL intact', () => {
    expect(extractSql('```SQL\nSELECT a\nFROM b\nWHERE c > 2;\n```')).toBe('SELECT a\nFROM b\nWHERE c > 2');
  });

  it('returns an empty string for an empty block', () => {
    expect(extractSql('```sql\n```')).toBe('');
  });
});
