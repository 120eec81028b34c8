import type { DbSchema } from '../../env/index.js';
import type { Rng } from '../rng.js';
import type { Fault, FaultKind } from './fault-kind.js';
import { FAULT_KINDS } from './fault-kinds.js';
import { shuffle } from './sql-edit.js';

/**
 * One corrupted version of `gold` per fault kind that applies to it, in an order shuffled by `rng`. Pure: the same
 * gold, schema and rng seed give the same faults in the same order. Nothing is executed here.
 */
export function generateFaults(gold: string, schema: DbSchema, rng: Rng, kinds: readonly FaultKind[] = FAULT_KINDS): Fault[] {
  const faults: Fault[] = [];
  for (const kind of shuffle(kinds, rng)) {
    const sql = kind.apply(gold, schema, rng);
    if (sql !== undefined && sql.trim() !== gold.trim()) faults.push({ kind: kind.name, expectedClass: kind.expectedClass, sql });
  }
  return faults;
}
