import type { Observation } from '../env/index.js';

/** Agent Lightning cuts the schema text and every execution result at this many characters (grading.md §5). */
export const TRUNCATE_CHARS = 2048;
export const TRUNCATION_MARK = '\n... (truncated)';

export function truncate(text: string, maxChars = TRUNCATE_CHARS): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}${TRUNCATION_MARK}` : text;
}

function pythonRepr(cell: string | number | null): string {
  if (cell === null) return 'None';
  if (typeof cell === 'number') return String(cell);
  return `'${cell.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
}

/**
 * The execution result of the observation's last attempt, as LangChain's query tool shows it: the rows as a Python
 * list of tuples, or `Error: …` with the database's message.
 */
export function executionText(obs: Observation): string {
  if (obs.result === null) return `Error: ${obs.error_message ?? 'the query did not run'}`;
  const rows = obs.result.rows.map((row) => `(${row.map(pythonRepr).join(', ')}${row.length === 1 ? ',' : ''})`);
  return `[${rows.join(', ')}]`;
}

/** The question, with BIRD-style evidence after it when the question has some. */
export function questionText(obs: Observation): string {
  return obs.evidence === null ? obs.question : `${obs.question}\nEvidence: ${obs.evidence}`;
}

/** The schema text for a prompt, cut at TRUNCATE_CHARS. */
export function schemaText(obs: Observation): string {
  return truncate(obs.schema_info);
}
