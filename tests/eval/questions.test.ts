import { describe, expect, it } from 'vitest';
import { sampleQuestions, taskIdsOf } from '../../src/eval/questions.js';

const IDS = Array.from({ length: 50 }, (_, i) => `q${i}`);

describe('sampleQuestions', () => {
  it('orders the questions by the seed alone, as a permutation', () => {
    expect(sampleQuestions(IDS, 7)).toEqual(sampleQuestions(IDS, 7));
    expect(sampleQuestions(IDS, 7)).not.toEqual(sampleQuestions(IDS, 8));
    expect([...sampleQuestions(IDS, 7)].sort()).toEqual([...IDS].sort());
  });

  it('extends the same sample when the limit grows', () => {
    const five = sampleQuestions(IDS, 3, 5);
    expect(five).toHaveLength(5);
    expect(sampleQuestions(IDS, 3, 12).slice(0, 5)).toEqual(five);
  });
});

describe('taskIdsOf', () => {
  it('names the built-in tasks, or the dataset directory', () => {
    expect(taskIdsOf('builtin')).toEqual(['simple_queries', 'join_queries', 'complex_analytics']);
    expect(taskIdsOf('/data/spider-train/')).toEqual(['spider-train']);
  });
});
