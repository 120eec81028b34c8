
/** The hand-written error class → repair arm table (repair-policy.md §3.3 classes, §4 arms) and the LinUCB prior built from it. */

/** The fixed baseline policy: the arm a careful human would try first for each class. */
export const DEFAULT_CLASS_ARM_TABLE: Readonly<Record<string, string>> = Object.freeze({
  SYNTAX: 'FIX_SYNTAX_DIALECT',
  UNKNOWN_TABLE: 'FIX_IDENTIFIER',
  UNKNOWN_COLUMN: 'FIX_IDENTIFIER',
  AMBIGUOUS_REFERENCE: 'FIX_JOIN_PATH',
  UNKNOWN_FUNCTION: 'FIX_SYNTAX_DIALECT',
  GROUPING: 'FIX_AGGREGATION',
  TYPE_MISMATCH: 'PROBE_VALUES',
  QUERY_SHAPE: 'FIX_PROJECTION',
  TIMEOUT: 'DECOMPOSE_CTE',
  REJECTED: 'REGENERATE',
  EMPTY_RESULT: 'RELAX_FILTERS',
  WRONG_RESULT: 'EXPLAIN_AND_VERIFY',
  OTHER: 'REGENERATE',
});

/**
 * Prior expected reward of the table's arm for its class. With λ = 1 the prior weighs as much as one observation
 * along that class's one-hot direction, so a handful of contrary rewards overrides it.
 */
export const DEFAULT_PRIOR_REWARD = 0.5;

export interface PriorOptions {
  armNames: readonly string[];
  d: number;
  /** Index of the class's one-hot feature in x, or undefined when the feature vector has none for it. */
  classFeatureIndex: (errorClass: string) => number | undefined;
  table?: Readonly<Record<string, string>>;
  priorReward?: number;
}

/**
 * θ0 per arm: θ0_a[classFeatureIndex(c)] = priorReward for each class c the table maps to a; 0 elsewhere.
 * Arms the table never names get no entry (prior 0). Unknown arm names in the table throw.
 */
export function buildPriorTheta(options: PriorOptions): Record<string, Float64Array> {
  const table = options.table ?? DEFAULT_CLASS_ARM_TABLE;
  const priorReward = options.priorReward ?? DEFAULT_PRIOR_REWARD;
  const prior: Record<string, Float64Array> = {};
  for (const [errorClass, arm] of Object.entries(table)) {
    if (!options.armNames.includes(arm)) throw new RangeError(`prior table names unknown arm '${arm}'`);
    const index = options.classFeatureIndex(errorClass);
    if (index === undefined) continue;
    if (!Number.isInteger(index) || index < 0 || index >= options.d) {
      throw new RangeError(`feature index ${index} for class '${errorClass}' outside 0..${options.d - 1}`);
    }
    const theta = (prior[arm] ??= new Float64Array(options.d));
    theta[index] = priorReward;
  }
  return prior;
}

/**
 * The fixed policy's arm for a class under a mask: the table's arm when feasible, else the first feasible arm
 * (arm order), so it is defined on every logged decision. Returns -1 when nothing is feasible.
 */
export function fixedPolicyArm(
  errorClass: string | undefined,
  armNames: readonly string[],
  mask: readonly boolean[],
  table: Readonly<Record<string, string>> = DEFAULT_CLASS_ARM_TABLE,
): number {
  const preferred = errorClass === undefined ? undefined : table[errorClass];
  const index = preferred === undefined ? -1 : armNames.indexOf(preferred);
  if (index >= 0 && mask[index] === true) return index;
  return mask.findIndex((m) => m);
}
