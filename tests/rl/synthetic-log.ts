import { epsilonGreedy, sampleArm } from '../../src/rl/exploration.js';
import { createRng } from '../../src/rl/rng.js';
import type { PolicyEvent, PolicyMeta } from '../../src/rl/store/policy-store.js';

/** A synthetic repair world with known per-(class, arm) success rates; the fixed table is wrong for EMPTY_RESULT. */
export const SYN_ARMS = ['FIX_IDENTIFIER', 'FIX_SYNTAX_DIALECT', 'RELAX_FILTERS', 'REGENERATE'];
export const SYN_CLASSES = ['UNKNOWN_COLUMN', 'SYNTAX', 'EMPTY_RESULT'];
export const SYN_TABLE = { UNKNOWN_COLUMN: 'FIX_IDENTIFIER', SYNTAX: 'FIX_SYNTAX_DIALECT', EMPTY_RESULT: 'RELAX_FILTERS' };
export const SYN_MEANS = [
  [0.8, 0.2, 0.1, 0.5],
  [0.1, 0.7, 0.1, 0.5],
  [0.1, 0.1, 0.2, 0.6],
];
/** True values with classes drawn uniformly: fixed table, uniform over arms, per-class best arm. */
export const SYN_TRUE = {
  fixed: (0.8 + 0.7 + 0.2) / 3,
  uniform: SYN_MEANS.flat().reduce((s, v) => s + v, 0) / 12,
  oracle: (0.8 + 0.7 + 0.6) / 3,
};
export const SYN_META: PolicyMeta = { policyKey: 'synthetic', armNames: SYN_ARMS, d: 4, featureSchemaHash: 'syn', config: { lambda: 1 } };

/** n logged decisions of an ε-greedy logger around the fixed table, each with a Bernoulli reward. */
export function syntheticLog(n: number, seed: number, epsilon = 0.5): PolicyEvent[] {
  const rng = createRng(seed);
  const events: PolicyEvent[] = [];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng.next() * SYN_CLASSES.length);
    const x = [1, 0, 0, 0];
    x[1 + c] = 1;
    const tableArm = SYN_ARMS.indexOf(SYN_TABLE[SYN_CLASSES[c] as keyof typeof SYN_TABLE]);
    const { probabilities } = epsilonGreedy(SYN_ARMS.map((_, a) => (a === tableArm ? 1 : 0)), [true, true, true, true], epsilon);
    const armIndex = sampleArm(probabilities, rng.next());
    const reward = rng.next() < (SYN_MEANS[c]?.[armIndex] ?? 0) ? 1 : 0;
    const decisionId = `d${i}`;
    const common = { decisionId, episodeId: `e${i}`, armIndex, x, tsMs: i };
    events.push({ ...common, id: 2 * i + 1, kind: 'decision', value: null, payload: { probabilities, mask: [true, true, true, true], meta: { errorClass: SYN_CLASSES[c] } } });
    events.push({ ...common, id: 2 * i + 2, kind: 'reward', value: reward, payload: { source: 'observed' } });
  }
  return events;
}
