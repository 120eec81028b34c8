const CLOSED_FENCE = /```(?:[\w+-]*[ \t]*\n)?([\s\S]*?)```/g;
const OPEN_FENCE = /```(?:[\w+-]*[ \t]*\n)?([\s\S]*)$/;

function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

/**
 * The SQL in a model's answer: the last fenced code block (```sql … ``` or ``` … ```), else an unclosed final block
 * (an answer cut at the closing fence), else the raw text; trimmed, with stray fences and trailing semicolons removed.
 */
export function extractSql(text: string): string {
  const blocks = [...text.matchAll(CLOSED_FENCE)];
  const last = blocks.at(-1);
  let sql: string;
  if (last !== undefined) {
    sql = last[1] ?? '';
  } else {
    const open = OPEN_FENCE.exec(text);
    sql = open !== null ? (open[1] ?? '') : text;
  }
  return stripTrailingSemicolons(sql.replaceAll('```', '').trim()).trim();
}
