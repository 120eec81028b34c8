import { describe, expect, it } from 'vitest';
import { episodeReward, repairReward, stepReward, STEP_REWARD } from '../../src/rl/reward.js';
import { testConfig } from '../helpers/test-config.js';

const score = testConfig().score;

describe('step reward', () => {
  it('reports base, attempt penalty, severity bonus and error-changed bonus, summing to total', () => {
    const parts = stepReward({ gradeScore: 0.4, attempt: 3, errorClass: 'WRONG_RESULT', previousErrorClass: 'UNKNOWN_COLUMN' });
    expect(parts).toEqual({
      base: 0.4,
      attemptPenalty: -0.1,
      errorSeverityBonus: STEP_REWARD.errorSeverityBonusMax * 0.8,
      errorChangedBonus: 0.05,
      total: 0.4 - 0.1 + STEP_REWARD.errorSeverityBonusMax * 0.8 + 0.05,
    });
  });

  it('ranks error classes by closeness: WRONG_RESULT > EMPTY_RESULT > UNKNOWN_COLUMN > SYNTAX', () => {
    const bonus = (errorClass: string) => stepReward({ gradeScore: 0, attempt: 1, errorClass }).errorSeverityBonus;
    expect(bonus('WRONG_RESULT')).toBeGreaterThan(bonus('EMPTY_RESULT'));
    expect(bonus('EMPTY_RESULT')).toBeGreaterThan(bonus('UNKNOWN_COLUMN'));
    expect(bonus('UNKNOWN_COLUMN')).toBeGreaterThan(bonus('SYNTAX'));
  });

  it('keeps any wrong attempt below a correct one at the same attempt', () => {
    const correct = stepReward({ gradeScore: 1, attempt: 2, errorClass: undefined, previousErrorClass: 'WRONG_RESULT' }).total;
    const nearlyRight = stepReward({ gradeScore: 0.99, attempt: 2, errorClass: 'WRONG_RESULT', previousErrorClass: 'SYNTAX' }).total;
    expect(correct).toBeGreaterThan(nearlyRight);
  });

  it('pays no error-changed bonus on the first attempt, for an unchanged class, or for a change away from right', () => {
    expect(stepReward({ gradeScore: 0, attempt: 1, errorClass: 'SYNTAX' }).errorChangedBonus).toBe(0);
    expect(stepReward({ gradeScore: 0, attempt: 2, errorClass: 'SYNTAX', previousErrorClass: 'SYNTAX' }).errorChangedBonus).toBe(0);
    expect(stepReward({ gradeScore: 0, attempt: 2, errorClass: 'SYNTAX', previousErrorClass: 'EMPTY_RESULT' }).errorChangedBonus).toBe(0);
  });
});

describe('episode reward', () => {
  it('clamps the score into [SCORE_MIN, SCORE_MAX] while keeping the raw value and the parts', () => {
    const win = episodeReward({ finalGradeScore: 1, attempts: 1, maxAttempts: 5 }, score);
    expect(win).toMatchObject({ finalScore: 1, attemptPenalty: -0, isSuccess: true, score: 0.95 });
    expect(win.earlySolveBonus).toBeCloseTo(0.08, 15);
    expect(win.raw).toBeCloseTo(1.08, 15);
    const loss = episodeReward({ finalGradeScore: 0, attempts: 5, maxAttempts: 5 }, score);
    expect(loss).toMatchObject({ isSuccess: false, earlySolveBonus: 0, score: 0.05 });
    expect(loss.raw).toBeCloseTo(-0.2, 15);
  });

  it('rewards solving in fewer attempts', () => {
    const fast = episodeReward({ finalGradeScore: 0.9, attempts: 2, maxAttempts: 5 }, score);
    const slow = episodeReward({ finalGradeScore: 0.9, attempts: 4, maxAttempts: 5 }, score);
    expect(fast.score).toBeGreaterThan(slow.score);
  });
});

describe('per-repair bandit reward', () => {
  it('is 1 on a free match and in [0, 1] with its costs shown', () => {
    expect(repairReward({ isMatch: true, isExecuted: true, rowCount: 3, similarity: 1, tokens: 0, latencyMs: 0 }).total).toBe(1);
    const costly = repairReward({ isMatch: true, isExecuted: true, rowCount: 3, similarity: 1, tokens: 8000, latencyMs: 60_000 });
    expect(costly).toMatchObject({ quality: 1, tokenCost: 0.05, latencyCost: 0.05 });
    expect(costly.total).toBeCloseTo(0.9, 15);
  });

  it('gives partial credit for executing, a non-empty result and similarity, below any match', () => {
    const parts = repairReward({ isMatch: false, isExecuted: true, rowCount: 2, similarity: 0.5, tokens: 2000, latencyMs: 0 });
    expect(parts.executesCredit).toBe(0.2);
    expect(parts.nonEmptyCredit).toBe(0.1);
    expect(parts.similarityCredit).toBeCloseTo(0.15, 15);
    expect(parts.total).toBeCloseTo(0.45 - 0.025, 15);
    const best = repairReward({ isMatch: false, isExecuted: true, rowCount: 2, similarity: 1, tokens: 0, latencyMs: 0 }).total;
    expect(best).toBeLessThan(0.9);
  });

  it('is 0 (never negative) when the repair does not run and costs something', () => {
    expect(repairReward({ isMatch: false, isExecuted: false, rowCount: 0, similarity: 0.9, tokens: 4000, latencyMs: 1000 }).total).toBe(0);
  });
});
