import type { Rng } from '../rng.js';
import { isKeyword, isPunct, tokenize, type Token } from '../sql-tokens.js';
import type { FaultKind } from './fault-kind.js';
import { outerDepth, pick, splice } from './sql-edit.js';

/** Typing slips that make a query unparseable. */

type Slip = (sql: string, tokens: readonly Token[], rng: Rng) => string | undefined;

const KEYWORD_TYPOS: Readonly<Record<string, string>> = { SELECT: 'SELCT', FROM: 'FORM', WHERE: 'WHRE', GROUP: 'GRUOP', ORDER: 'ODER' };

function sameCase(typo: string, original: string): string {
  return original === original.toLowerCase() ? typo.toLowerCase() : typo;
}

const SLIPS: readonly Slip[] = [
  // a comma left after the last SELECT item
  (sql, tokens) => {
    const depth = outerDepth(tokens);
    const from = tokens.findIndex((t) => t.depth === depth && isKeyword(t, 'FROM'));
    const before = tokens[from - 1];
    return from < 0 || before === undefined ? undefined : splice(sql, before.end, before.end, ',');
  },
  // a misspelled keyword (not the statement's first word: the statement guard would reject it before SQLite parses it)
  (sql, tokens, rng) => {
    const sites = tokens.filter((t, i) => i > 0 && t.kind === 'word' && KEYWORD_TYPOS[t.value.toUpperCase()] !== undefined);
    const site = pick(sites, rng);
    return site === undefined ? undefined : splice(sql, site.start, site.end, sameCase(KEYWORD_TYPOS[site.value.toUpperCase()] as string, site.value));
  },
  // a closing parenthesis forgotten
  (sql, tokens, rng) => {
    const site = pick(tokens.filter((t) => isPunct(t, ')')), rng);
    return site === undefined ? undefined : splice(sql, site.start, site.end, '');
  },
  // a text literal left unclosed
  (sql, tokens, rng) => {
    const site = pick(tokens.filter((t) => t.kind === 'string' && sql[t.end - 1] === "'" && t.end - t.start >= 2), rng);
    return site === undefined ? undefined : splice(sql, site.end - 1, site.end, '');
  },
];

export const syntaxSlip: FaultKind = {
  name: 'syntax-slip',
  expectedClass: 'SYNTAX',
  description: 'A typing slip: a trailing comma before FROM, a misspelled keyword, a lost `)` or an unclosed quote.',
  apply(sql, _schema, rng) {
    const tokens = tokenize(sql);
    const start = Math.floor(rng.next() * SLIPS.length);
    for (let k = 0; k < SLIPS.length; k += 1) {
      const out = (SLIPS[(start + k) % SLIPS.length] as Slip)(sql, tokens, rng);
      if (out !== undefined) return out;
    }
    return undefined;
  },
};
