import { describe, expect, it } from 'vitest';
import { ARM_NAMES } from '../../src/rl/arms.js';
import { ERROR_CLASSES } from '../../src/rl/error-class.js';
import { classFeatureIndex, FEATURE_DIM } from '../../src/rl/features.js';
import { buildPriorTheta, DEFAULT_CLASS_ARM_TABLE, DEFAULT_PRIOR_REWARD, fixedPolicyArm } from '../../src/rl/warm-start.js';

describe('warm-start table and prior', () => {
  it('has an arm for every error class', () => {
    expect(Object.keys(DEFAULT_CLASS_ARM_TABLE).sort()).toEqual([...ERROR_CLASSES].sort());
  });

  it('puts the prior reward on each class one-hot feature of the table arm, and nothing else', () => {
    const prior = buildPriorTheta({ armNames: ARM_NAMES, d: FEATURE_DIM, classFeatureIndex });
    const identifier = prior.FIX_IDENTIFIER!;
    expect(identifier[classFeatureIndex('UNKNOWN_COLUMN')!]).toBe(DEFAULT_PRIOR_REWARD);
    expect(identifier[classFeatureIndex('UNKNOWN_TABLE')!]).toBe(DEFAULT_PRIOR_REWARD);
    expect(identifier.reduce((s, v) => s + v, 0)).toBe(2 * DEFAULT_PRIOR_REWARD);
    const total = Object.values(prior).reduce((s, theta) => s + theta.reduce((a, v) => a + v, 0), 0);
    expect(total).toBeCloseTo(ERROR_CLASSES.length * DEFAULT_PRIOR_REWARD, 12);
    expect(prior.FIX_JOIN_PATH![classFeatureIndex('AMBIGUOUS_REFERENCE')!]).toBe(DEFAULT_PRIOR_REWARD);
  });

  it('refuses a table naming an unknown arm or a feature index outside x', () => {
    expect(() => buildPriorTheta({ armNames: ['A'], d: 3, classFeatureIndex: () => 1, table: { SYNTAX: 'B' } })).toThrow(/unknown arm 'B'/);
    expect(() => buildPriorTheta({ armNames: ['A'], d: 3, classFeatureIndex: () => 3, table: { SYNTAX: 'A' } })).toThrow(/outside 0..2/);
  });

  it('skips classes that have no feature', () => {
    expect(buildPriorTheta({ armNames: ['A'], d: 3, classFeatureIndex: () => undefined, table: { SYNTAX: 'A' } })).toEqual({});
  });

  it('falls back to the first feasible arm when the table arm is masked or the class unknown', () => {
    const arms = ['FIX_IDENTIFIER', 'FIX_SYNTAX_DIALECT', 'REGENERATE'];
    expect(fixedPolicyArm('SYNTAX', arms, [true, true, true])).toBe(1);
    expect(fixedPolicyArm('SYNTAX', arms, [false, false, true])).toBe(2);
    expect(fixedPolicyArm(undefined, arms, [false, true, true])).toBe(1);
    expect(fixedPolicyArm('NOT_A_CLASS', arms, [true, true, true])).toBe(0);
  });
});
