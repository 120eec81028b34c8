import { DatasetError, UnknownQuestionError, UnknownTaskError } from '../../errors.js';
import type { Task, TaskQuestion } from './task.js';

export interface TaskRegistry {
  /** The task with this id; throws UnknownTaskError. */
  get(taskId: string): Task;
  /**
   * One question of a task: the one named by `questionId` (full id like `simple_queries/03`, or the part after the
   * slash), else one drawn from `seed` (same seed, same question), else a random one.
   * Throws UnknownTaskError or UnknownQuestionError.
   */
  question(taskId: string, questionId?: string, seed?: number): TaskQuestion;
  /** Every task, in registration order. */
  list(): Task[];
}

/** Index of a question drawn from a seed: one step of mulberry32, so nearby seeds spread over the whole task. */
export function seededIndex(seed: number, count: number): number {
  let t = ((Math.trunc(seed) >>> 0) + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * count);
}

/** A registry over `tasks`. Throws DatasetError for a duplicate task id or a task without questions. */
export function createTaskRegistry(tasks: readonly Task[]): TaskRegistry {
  const byId = new Map<string, Task>();
  const questionsById = new Map<string, Map<string, TaskQuestion>>();
  for (const task of tasks) {
    if (byId.has(task.id)) throw new DatasetError(`Duplicate task id '${task.id}'`);
    if (task.questions.length === 0) throw new DatasetError(`Task '${task.id}' has no questions`);
    byId.set(task.id, task);
    questionsById.set(task.id, new Map(task.questions.map((q) => [q.id, q])));
  }

  const get = (taskId: string): Task => {
    const task = byId.get(taskId);
    if (task === undefined) throw new UnknownTaskError(taskId, [...byId.keys()]);
    return task;
  };

  return {
    get,
    list: () => [...byId.values()],
    question(taskId, questionId, seed) {
      const task = get(taskId);
      if (questionId !== undefined) {
        const byQuestion = questionsById.get(task.id);
        const found = byQuestion?.get(questionId) ?? byQuestion?.get(`${task.id}/${questionId}`);
        if (found === undefined) throw new UnknownQuestionError(questionId, task.id);
        return found;
      }
      const index = seed === undefined || !Number.isFinite(seed) ? Math.floor(Math.random() * task.questions.length) : seededIndex(seed, task.questions.length);
      return task.questions[index] as TaskQuestion;
    },
  };
}
