/**
 * The fixture database of the SqlEngine contract, as portable SQL that runs unchanged on SQLite and PostgreSQL.
 * A caller applies `SQL_ENGINE_FIXTURE` in order with its own driver (in a fresh SQLite file or PG schema).
 */

export const NUMBERS_ROW_COUNT = 2500;

/** Rows of `singer`, in singer_id order: [singer_id, name, country, age, net_worth, last_update]. */
export const SINGER_ROWS = [
  [1, 'Joe Sharp', 'Netherlands', 52, 30.0, '2020-01-01'],
  [2, 'Timbaland', 'United States', 32, 28.5, '2021-06-30'],
  [3, 'Zoë Ünal', 'Türkiye', 25, null, '2022-02-02'],
  [4, "O'Brien; DROP TABLE song; --", 'Ireland', 41, 12.25, '2023-03-03'],
] as const;

/** Rows of `song`: [song_id, singer_id, title, sales]. */
export const SONG_ROWS = [
  [1, 1, 'Run', 1000.5],
  [2, 1, 'Walk', 20],
  [3, 2, 'Dance /* not a comment */', 7.75],
] as const;

function literal(value: string | number | null): string {
  if (value === null) return 'NULL';
  return typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
}

function insert(table: string, rows: readonly (readonly (string | number | null)[])[]): string {
  return `INSERT INTO ${table} VALUES ${rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ')}`;
}

const numbers = Array.from({ length: NUMBERS_ROW_COUNT }, (_, i) => `(${i + 1})`).join(', ');

export const SQL_ENGINE_FIXTURE: readonly string[] = [
  `CREATE TABLE singer (
  singer_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  country TEXT,
  age INTEGER,
  net_worth DOUBLE PRECISION,
  last_update TEXT
)`,
  `CREATE TABLE song (
  song_id INTEGER PRIMARY KEY,
  singer_id INTEGER NOT NULL REFERENCES singer (singer_id),
  title TEXT NOT NULL,
  sales DOUBLE PRECISION
)`,
  'CREATE TABLE numbers (n INTEGER PRIMARY KEY)',
  insert('singer', SINGER_ROWS),
  insert('song', SONG_ROWS),
  `INSERT INTO numbers (n) VALUES ${numbers}`,
];
