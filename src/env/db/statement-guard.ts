import type { Dialect } from './engine.js';
import { significantTokens, type SqlToken } from './sql-lexer.js';

export type StatementCheck = { ok: true; sql: string } | { ok: false; reason: string };

const RULE = 'only one read-only SELECT/WITH/VALUES statement per call';

const READ_STARTS = new Set(['SELECT', 'WITH', 'VALUES']);

const FORBIDDEN_KEYWORDS = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'MERGE', 'UPSERT', 'DROP', 'CREATE', 'ALTER', 'TRUNCATE', 'ATTACH',
  'DETACH', 'PRAGMA', 'VACUUM', 'REINDEX', 'ANALYZE', 'ANALYSE', 'COPY', 'SET', 'RESET', 'BEGIN', 'COMMIT',
  'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'GRANT', 'REVOKE', 'LOCK', 'CALL', 'DO', 'LISTEN', 'NOTIFY', 'INTO',
]);

// why: these read files, reach other servers, change settings or run SQL given as a string (past this guard).
const FORBIDDEN_FUNCTIONS = new Set([
  'load_extension', 'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'lo_import', 'lo_export',
  'lo_unlink', 'lo_create', 'lo_creat', 'lo_open', 'lo_put', 'lo_from_bytea', 'lo_truncate', 'lowrite', 'lo_write', 'dblink', 'dblink_exec', 'dblink_connect', 'set_config', 'setval', 'nextval',
  'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'query_to_xml',
  'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'cursor_to_xmlschema',
]);

const LOCKING_AFTER_FOR = new Set(['UPDATE', 'SHARE', 'NO', 'KEY']);

function refuse(what: string): StatementCheck {
  return { ok: false, reason: `${what} is not allowed: ${RULE}` };
}

function isPunct(token: SqlToken | undefined, ch: string): boolean {
  return token?.kind === 'punct' && token.value === ch;
}

function checkStart(first: SqlToken): StatementCheck | undefined {
  if (isPunct(first, '(')) return undefined;
  if (first.kind === 'word') {
    const word = first.value.toUpperCase();
    return READ_STARTS.has(word) ? undefined : refuse(word);
  }
  return refuse(`A statement starting with ${JSON.stringify(first.value.slice(0, 20))}`);
}

function checkToken(token: SqlToken, next: SqlToken | undefined): StatementCheck | undefined {
  const isCall = isPunct(next, '(');
  if (token.kind === 'quoted') {
    return isCall && FORBIDDEN_FUNCTIONS.has(token.value.toLowerCase()) ? refuse(`${token.value.toLowerCase()}()`) : undefined;
  }
  if (token.kind !== 'word') return undefined;
  const word = token.value.toUpperCase();
  if (FORBIDDEN_FUNCTIONS.has(word.toLowerCase())) return refuse(`${word.toLowerCase()}()`);
  if (word === 'FOR' && next?.kind === 'word' && LOCKING_AFTER_FOR.has(next.value.toUpperCase())) {
    return refuse('A FOR UPDATE/SHARE locking clause');
  }
  if (word === 'REPLACE' && isCall) return undefined;
  return FORBIDDEN_KEYWORDS.has(word) ? refuse(word) : undefined;
}

/**
 * Accepts exactly one read-only statement (SELECT, WITH, VALUES or a parenthesised query) and returns it with
 * trailing semicolons, whitespace and comments removed; otherwise says why it is refused. Keywords are matched as
 * whole tokens outside strings, quoted identifiers and comments, so `last_update` or `'delete me'` pass.
 */
export function checkStatement(sql: string, dialect: Dialect): StatementCheck {
  const tokens = significantTokens(sql, dialect);
  let count = tokens.length;
  while (count > 0 && isPunct(tokens[count - 1], ';')) count -= 1;
  const body = tokens.slice(0, count);
  const first = body[0];
  const last = body[count - 1];
  if (first === undefined || last === undefined) return { ok: false, reason: `An empty query is not allowed: ${RULE}` };
  if (body.some((t) => isPunct(t, ';'))) return refuse('More than one statement');
  const startProblem = checkStart(first);
  if (startProblem !== undefined) return startProblem;
  for (let i = 0; i < body.length; i += 1) {
    const problem = checkToken(body[i] as SqlToken, body[i + 1]);
    if (problem !== undefined) return problem;
  }
  return { ok: true, sql: sql.slice(0, last.end) };
}
