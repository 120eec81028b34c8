import { describe, expect, it } from 'vitest';
import { DatasetError, UnknownQuestionError, UnknownTaskError } from '../../../src/errors.js';
import { builtinTasks } from '../../../src/env/tasks/builtin-tasks.js';
import type { Task } from '../../../src/env/tasks/task.js';
import { createTaskRegistry, seededIndex } from '../../../src/env/tasks/task-registry.js';

function task(id: string, count: number): Task {
  const questions = Array.from({ length: count }, (_, i) => ({
    id: `${id}/${String(i + 1).padStart(2, '0')}`,
    taskId: id,
    database: 'db',
    question: `question ${i + 1}`,
    gold: 'SELECT 1',
    difficulty: 'easy' as const,
    legacyDoubleQuotes: false,
  }));
  return { id, description: id, difficulty: 'easy', questions };
}

describe('createTaskRegistry', () => {
  const registry = createTaskRegistry(builtinTasks());

  it('lists the tasks in registration order and gets one by id', () => {
    expect(registry.list().map((t) => t.id)).toEqual(['simple_queries', 'join_queries', 'complex_analytics']);
    expect(registry.get('join_queries').difficulty).toBe('medium');
  });

  it('throws UnknownTaskError naming the known tasks for an unknown task id', () => {
    expect(() => registry.get('nope')).toThrow(UnknownTaskError);
    try {
      registry.question('nope');
    } catch (err) {
      expect(err).toBeInstanceOf(UnknownTaskError);
      expect((err as UnknownTaskError).details).toEqual({ task_id: 'nope', known: ['simple_queries', 'join_queries', 'complex_analytics'] });
    }
    expect.assertions(3);
  });

  it('returns the named question by full id or by the part after the slash', () => {
    expect(registry.question('simple_queries', 'simple_queries/03').id).toBe('simple_queries/03');
    expect(registry.question('simple_queries', '03').id).toBe('simple_queries/03');
  });

  it('throws UnknownQuestionError for a question id that is not in the task', () => {
    expect(() => registry.question('simple_queries', '99')).toThrow(UnknownQuestionError);
    expect(() => registry.question('simple_queries', 'join_queries/01')).toThrow(UnknownQuestionError);
  });

  it('gives the same question for the same seed, in any registry', () => {
    const other = createTaskRegistry(builtinTasks());
    for (const seed of [0, 1, 7, 42, 123_456_789]) {
      expect(registry.question('complex_analytics', undefined, seed).id).toBe(other.question('complex_analytics', undefined, seed).id);
    }
  });

  it('keeps the seed → question mapping fixed across versions', () => {
    expect([0, 1, 2, 7, 42].map((s) => seededIndex(s, 12))).toEqual([3, 7, 8, 0, 7]);
    expect(registry.question('simple_queries', undefined, 42).id).toBe('simple_queries/08');
  });

  it('spreads consecutive seeds over every question of a task', () => {
    const ids = new Set(Array.from({ length: 100 }, (_, seed) => registry.question('join_queries', undefined, seed).id));
    expect(ids.size).toBe(registry.get('join_queries').questions.length);
  });

  it('draws some question of the task when no seed is given', () => {
    const q = registry.question('join_queries');
    expect(registry.get('join_queries').questions).toContain(q);
  });

  it('rejects duplicate task ids and tasks without questions', () => {
    expect(() => createTaskRegistry([task('a', 2), task('a', 3)])).toThrow(DatasetError);
    expect(() => createTaskRegistry([task('empty', 0)])).toThrow(/no questions/);
  });
});
