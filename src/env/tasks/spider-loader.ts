import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DatasetError } from '../../errors.js';
import { spiderHardness } from '../grade/hardness.js';
import type { Task, TaskQuestion } from './task.js';

const DIFFICULTIES = ['easy', 'medium', 'hard', 'extra', 'simple', 'moderate', 'challenging'] as const;

/** One item of a Spider (`query`) or BIRD (`SQL`, `evidence`, `difficulty`, `question_id`) questions file. */
export const SpiderQuestionSchema = z
  .object({
    db_id: z.string().min(1),
    question: z.string().min(1),
    query: z.string().min(1).optional(),
    SQL: z.string().min(1).optional(),
    evidence: z.string().optional(),
    difficulty: z.enum(DIFFICULTIES).optional(),
    question_id: z.union([z.number().int().nonnegative(), z.string().regex(/^[\w.-]+$/)]).optional(),
  })
  .refine((q) => q.query !== undefined || q.SQL !== undefined, { message: 'needs the gold SQL as "query" (Spider) or "SQL" (BIRD)' });
export type SpiderQuestion = z.infer<typeof SpiderQuestionSchema>;

/** One database's entry in Spider's tables.json. */
export const SpiderTablesEntrySchema = z.object({
  db_id: z.string().min(1),
  table_names: z.array(z.string()),
  table_names_original: z.array(z.string()),
  column_names: z.array(z.tuple([z.number().int(), z.string()])),
  column_names_original: z.array(z.tuple([z.number().int(), z.string()])),
  column_types: z.array(z.string()),
  primary_keys: z.array(z.union([z.number().int(), z.array(z.number().int())])),
  foreign_keys: z.array(z.array(z.number().int())),
});
export type SpiderTablesEntry = z.infer<typeof SpiderTablesEntrySchema>;

export interface SpiderDataset {
  name: string;
  /** Every question, as one task whose id is `name`. */
  task: Task;
  /** db_id → absolute path of its SQLite file. */
  databases: Record<string, string>;
  /** db_id → its tables.json entry. */
  tables: Record<string, SpiderTablesEntry>;
}

export interface LoadSpiderOptions {
  /** Task id and question id prefix; default: the directory's name. */
  name?: string;
  /** Relative to `dir` unless absolute; `.json` (an array) or `.jsonl`. Default `questions.json`. */
  questionsFile?: string;
  /** Default `tables.json`. */
  tablesFile?: string;
  /** Holds `<db_id>/<db_id>.sqlite`; default `database`. */
  databaseDir?: string;
}

async function readJson(file: string, isJsonLines = false): Promise<unknown> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    throw new DatasetError(`Cannot read dataset file ${file}: ${(err as Error).message}`, err);
  }
  try {
    if (!isJsonLines) return JSON.parse(text) as unknown;
    return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
  } catch (err) {
    throw new DatasetError(`Malformed JSON in dataset file ${file}: ${(err as Error).message}`, err);
  }
}

function parseItems<T>(file: string, data: unknown, schema: z.ZodType<T>, what: string): T[] {
  if (!Array.isArray(data)) throw new DatasetError(`Malformed dataset file ${file}: expected an array of ${what}`);
  return data.map((item, index) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`);
      throw new DatasetError(`Malformed dataset file ${file}: item ${index}: ${issues.join('; ')}`);
    }
    return parsed.data;
  });
}

function toQuestions(name: string, items: SpiderQuestion[]): TaskQuestion[] {
  const width = Math.max(4, String(items.length - 1).length);
  const seen = new Set<string>();
  return items.map((item, index) => {
    const id = `${name}/${item.question_id === undefined ? String(index).padStart(width, '0') : String(item.question_id)}`;
    if (seen.has(id)) throw new DatasetError(`Duplicate question id '${id}' in dataset '${name}'`);
    seen.add(id);
    const gold = item.SQL ?? item.query ?? '';
    const question: TaskQuestion = {
      id,
      taskId: name,
      database: item.db_id,
      question: item.question,
      gold,
      difficulty: item.difficulty ?? spiderHardness(gold),
      // why: Spider and BIRD gold was run by Python's sqlite3, which reads an unresolvable "x" as the string 'x'.
      legacyDoubleQuotes: true,
    };
    if (item.evidence !== undefined && item.evidence.trim() !== '') question.evidence = item.evidence;
    return question;
  });
}

function locateDatabases(databaseDir: string, questionDbs: Set<string>, tables: Record<string, SpiderTablesEntry>, tablesFile: string): Record<string, string> {
  const databases: Record<string, string> = {};
  for (const dbId of new Set([...questionDbs, ...Object.keys(tables)])) {
    const file = path.join(databaseDir, dbId, `${dbId}.sqlite`);
    if (fs.existsSync(file)) databases[dbId] = file;
    else if (questionDbs.has(dbId)) throw new DatasetError(`Missing SQLite database for db_id '${dbId}': ${file}`);
  }
  for (const dbId of questionDbs) {
    if (tables[dbId] === undefined) throw new DatasetError(`db_id '${dbId}' has no entry in ${tablesFile}`);
  }
  return databases;
}

/**
 * Loads a dataset in Spider's layout (`questions.json`, `tables.json`, `database/<db_id>/<db_id>.sqlite`) as one task.
 * Question ids are `<name>/<question_id>` when the data has one, else `<name>/<zero-padded 0-based index>`.
 * Throws DatasetError naming the file for a missing or malformed file.
 */
export async function loadSpiderDataset(dir: string, opts: LoadSpiderOptions = {}): Promise<SpiderDataset> {
  const root = path.resolve(dir);
  const name = opts.name ?? path.basename(root);
  const questionsFile = path.resolve(root, opts.questionsFile ?? 'questions.json');
  const tablesFile = path.resolve(root, opts.tablesFile ?? 'tables.json');
  const databaseDir = path.resolve(root, opts.databaseDir ?? 'database');

  const items = parseItems(questionsFile, await readJson(questionsFile, questionsFile.endsWith('.jsonl')), SpiderQuestionSchema, 'questions');
  if (items.length === 0) throw new DatasetError(`Dataset file ${questionsFile} holds no questions`);
  const tableEntries = parseItems(tablesFile, await readJson(tablesFile), SpiderTablesEntrySchema, 'tables.json entries');
  const tables = Object.fromEntries(tableEntries.map((entry) => [entry.db_id, entry]));

  const questions = toQuestions(name, items);
  const databases = locateDatabases(databaseDir, new Set(items.map((q) => q.db_id)), tables, tablesFile);
  const task: Task = {
    id: name,
    description: `Spider-format dataset '${name}': ${questions.length} questions over ${new Set(items.map((q) => q.db_id)).size} databases.`,
    difficulty: 'mixed',
    questions,
  };
  return { name, task, databases, tables };
}
