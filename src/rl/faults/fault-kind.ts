import type { DbSchema } from '../../env/index.js';
import type { ErrorClass } from '../error-class.js';
import type { Rng } from '../rng.js';

/**
 * One realistic way to break a working query: a pure text transformation of the SQL (schema-aware, seeded), and
 * the error class it gives when the broken query is executed on SQLite. Execution decides the real class; the
 * expected one documents the kind and is what the tests assert on queries where the kind applies cleanly.
 */
export interface FaultKind {
  readonly name: string;
  readonly expectedClass: ErrorClass;
  readonly description: string;
  /** The corrupted SQL, or undefined when the kind does not apply to `sql`. Same inputs and rng state → same output. */
  apply(sql: string, schema: DbSchema, rng: Rng): string | undefined;
}

/** A corrupted query and the kind that produced it. */
export interface Fault {
  kind: string;
  expectedClass: ErrorClass;
  sql: string;
}
