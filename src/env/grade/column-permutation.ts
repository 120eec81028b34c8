import { mulberry32 } from '../../random.js';
/**
 * Spider's column-permutation search (grading.md §1.2 step 4) on cells already turned into Python-equality keys
 * (`keys[row][col]`, each a JSON token, so joining a row's keys with ',' is an unambiguous row key).
 */
export type KeyMatrix = readonly (readonly string[])[];

const PRUNE_SEED = 0x5eed;
const PRUNE_DRAWS = 20;

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function project(m: KeyMatrix, cols: readonly number[]): string[] {
  return m.map((row) => cols.map((c) => row[c]).join(','));
}

function counts(keys: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function sameCounts(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, n] of a) if (b.get(k) !== n) return false;
  return true;
}

/** Ordered: the projected lists are equal; bag: the projected multisets are equal. */
function projectionsEqual(gold: KeyMatrix, pred: KeyMatrix, goldCols: number[], predCols: number[], isOrdered: boolean): boolean {
  const g = project(gold, goldCols);
  const p = project(pred, predCols);
  return isOrdered ? g.every((k, i) => k === p[i]) : sameCounts(counts(g), counts(p));
}


function column(m: KeyMatrix, c: number): string[] {
  return m.map((row) => row[c] ?? '');
}

/**
 * Candidate prediction columns per gold column. Over 3 columns, Spider draws 20 prediction rows (with replacement)
 * and drops a mapping whose cell is not in the gold column's value set; we draw with a fixed-seed PRNG. We then also
 * drop mappings whose column multiset (bag) or column vector (ordered) differs. Each dropped mapping is one that no
 * successful permutation can use, so verdicts never depend on the draws.
 */
function candidateColumns(gold: KeyMatrix, pred: KeyMatrix, width: number, isOrdered: boolean): number[][] {
  const all = range(width);
  const candidates = all.map(() => new Set(all));
  if (width > 3) {
    const goldSets = all.map((j) => new Set(column(gold, j)));
    const rng = mulberry32(PRUNE_SEED);
    for (let d = 0; d < PRUNE_DRAWS; d++) {
      const row = pred[Math.floor(rng() * pred.length)] ?? [];
      for (const j of all) {
        for (const k of [...(candidates[j] ?? [])]) if (!goldSets[j]?.has(row[k] ?? '')) candidates[j]?.delete(k);
      }
    }
  }
  const signature = (c: string[]) => (isOrdered ? c : [...c].sort()).join(',');
  const goldSig = all.map((j) => signature(column(gold, j)));
  const predSig = all.map((k) => signature(column(pred, k)));
  return all.map((j) => [...(candidates[j] ?? [])].filter((k) => goldSig[j] === predSig[k]));
}

/** Whether some permutation of the prediction's columns makes it equal to the gold (same row count and width). */
export function hasColumnPermutation(gold: KeyMatrix, pred: KeyMatrix, isOrdered: boolean): boolean {
  const width = gold[0]?.length ?? 0;
  const identity = range(width);
  if (projectionsEqual(gold, pred, identity, identity, isOrdered)) return true;
  if (width <= 1) return false;
  const candidates = candidateColumns(gold, pred, width, isOrdered);
  const predVectors = identity.map((k) => column(pred, k).join(','));
  const perm: number[] = [];
  const used = new Set<number>();
  const search = (j: number): boolean => {
    if (j === width) return true;
    const tried = new Set<string>();
    for (const k of candidates[j] ?? []) {
      const vector = predVectors[k] ?? '';
      // why: swapping two identical prediction columns gives the same result, so one of each is tried.
      if (used.has(k) || tried.has(vector)) continue;
      tried.add(vector);
      perm.push(k);
      used.add(k);
      // Ordered candidates are identical column vectors already; a bag needs the prefix multisets to agree.
      const ok = (isOrdered || projectionsEqual(gold, pred, range(perm.length), perm, false)) && search(j + 1);
      perm.pop();
      used.delete(k);
      if (ok) return true;
    }
    return false;
  };
  return search(0);
}
