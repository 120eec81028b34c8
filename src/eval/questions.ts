import path from 'node:path';
import { HttpEnvClient } from '../client/index.js';
import { mulberry32 } from '../random.js';
import type { QuestionRef } from './episode-record.js';

/** The built-in tasks over the demo database (env/tasks/builtin-tasks.ts). */
export const BUILTIN_TASK_IDS = ['simple_queries', 'join_queries', 'complex_analytics'] as const;

/** The task ids a --dataset value names: the built-in tasks, or the Spider-format directory's name. */
export function taskIdsOf(dataset: string): string[] {
  return dataset === 'builtin' ? [...BUILTIN_TASK_IDS] : [path.basename(path.resolve(dataset))];
}

/** The questions of the given tasks, from the server's GET /tasks. Throws naming a task the server lacks. */
export async function fetchQuestions(baseUrl: string, taskIds: string[], token?: string): Promise<QuestionRef[]> {
  const tasks = await new HttpEnvClient({ baseUrl, token, timeoutMs: 30_000 }).tasks();
  return taskIds.flatMap((taskId) => {
    const task = tasks.find((t) => t.task_id === taskId);
    if (task === undefined) {
      const known = tasks.map((t) => t.task_id).join(', ');
      throw new Error(`the server has no task '${taskId}' (it has: ${known}); start it with DATASET_DIR pointing at the dataset`);
    }
    return task.questions.map((q) => ({ question_id: q.question_id, task_id: taskId, db_id: q.db_id, difficulty: q.difficulty, question: q.question }));
  });
}


/**
 * The questions in the seed's order (a Fisher–Yates shuffle), first `limit` of them. A larger limit with the same
 * seed extends the same sample, which is what makes a resumed run with a bigger --limit add only new questions.
 */
export function sampleQuestions<T>(questions: T[], seed: number, limit?: number): T[] {
  const order = [...questions];
  const random = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as T, order[i] as T];
  }
  return limit === undefined ? order : order.slice(0, limit);
}
