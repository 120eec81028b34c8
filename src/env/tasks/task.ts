import type { Dialect } from '../db/engine.js';

/** Spider hardness (computed from gold SQL) or BIRD's label (from the data). */
export type Difficulty = 'easy' | 'medium' | 'hard' | 'extra' | 'simple' | 'moderate' | 'challenging';

/** One natural-language question with its gold SQL. */
export interface TaskQuestion {
  /** Stable across runs and machines, e.g. `simple_queries/03` or `spider-train/0042`. */
  id: string;
  taskId: string;
  /** Database name as the engines know it (SQLite catalog name / PostgreSQL schema). */
  database: string;
  question: string;
  /** Gold SQL: one string for every dialect, or one per dialect. */
  gold: string | Partial<Record<Dialect, string>>;
  /** BIRD-style external knowledge, when the data has it. */
  evidence?: string;
  difficulty: Difficulty;
  /** Spider data was written for an SQLite that reads unresolvable "x" as the string 'x'. */
  legacyDoubleQuotes: boolean;
}

/** A named set of questions an episode can draw from. */
export interface Task {
  id: string;
  description: string;
  difficulty: 'easy' | 'medium' | 'hard' | 'mixed';
  questions: TaskQuestion[];
}

/** The gold SQL of a question for one dialect, or undefined when the question has none for it. */
export function goldFor(question: TaskQuestion, dialect: Dialect): string | undefined {
  return typeof question.gold === 'string' ? question.gold : question.gold[dialect];
}
