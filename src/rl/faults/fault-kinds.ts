import { aggregateInWhere, columnCountMismatch, dropPredicate, missingGroupBy, wrongLiteral, wrongOrderDirection } from './clause-faults.js';
import type { FaultKind } from './fault-kind.js';
import { ambiguousColumn, foreignFunction, misspellColumn, misspellTable, missingJoin } from './identifier-faults.js';
import { syntaxSlip } from './syntax-faults.js';

/** Every fault kind, in a fixed order (generateFaults shuffles it per seed). */
export const FAULT_KINDS: readonly FaultKind[] = Object.freeze([
  misspellColumn,
  misspellTable,
  missingJoin,
  ambiguousColumn,
  foreignFunction,
  aggregateInWhere,
  missingGroupBy,
  wrongOrderDirection,
  dropPredicate,
  wrongLiteral,
  columnCountMismatch,
  syntaxSlip,
]);

export const FAULT_KIND_NAMES: readonly string[] = FAULT_KINDS.map((k) => k.name);

/** The kind of that name; undefined for an unknown name. */
export function faultKindByName(name: string): FaultKind | undefined {
  return FAULT_KINDS.find((k) => k.name === name);
}
