import { builtinTasks } from '../../src/env/tasks/builtin-tasks.js';
import { goldFor } from '../../src/env/tasks/task.js';

/** The SQLite gold SQL of a built-in question, e.g. `simple_queries/01`. */
export function builtinGold(questionId: string): string {
  const question = builtinTasks()
    .flatMap((t) => t.questions)
    .find((q) => q.id === questionId);
  const gold = question === undefined ? undefined : goldFor(question, 'sqlite');
  if (gold === undefined) throw new Error(`no built-in gold for ${questionId}`);
  return gold;
}
