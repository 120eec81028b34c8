import { extractSql } from '../model/index.js';

/** Sent when a model answer holds no SQL: the env rejects it as an empty query, which costs the attempt. */
export const NO_SQL_PLACEHOLDER = '-- the model answer held no SQL';

/** The SQL of a model answer (model/extractSql), or the placeholder when there is none. */
export function answerSql(text: string): string {
  const sql = extractSql(text);
  return sql === '' ? NO_SQL_PLACEHOLDER : sql;
}

/** A rewrite answer without a code block keeps the previous query (Agent Lightning's fallback). */
export function rewrittenSql(text: string, previous: string): string {
  if (!text.includes('```')) return previous;
  const sql = extractSql(text);
  return sql === '' ? previous : sql;
}
