import type { ErrorClass } from '../../src/rl/error-class.js';

/**
 * Real broken queries against the repair fixture (repair-fixture.ts), with the class and offending token each
 * dialect's actual error gives. `token: undefined` asserts that no token is extracted. Classes a dialect cannot
 * produce (OTHER; EMPTY/WRONG_RESULT come from classifyOutcome) are absent.
 */
export interface FailingQuery {
  sql: string;
  token: string | undefined;
  qualifier?: string;
  /** The best candidate, when one is asserted. */
  candidate?: string;
}

type Cases = Partial<Record<ErrorClass, FailingQuery[]>>;

const q = (sql: string, token?: string, extra: Omit<FailingQuery, 'sql' | 'token'> = {}): FailingQuery => ({ sql, token, ...extra });

const RECURSIVE = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)';

const REJECTED = [
  q('DELETE FROM singer'),
  q("UPDATE singer SET age = 1 WHERE name = 'x'"),
  q("INSERT INTO singer VALUES (9, 'x', 'y', 1, true)"),
  q('DROP TABLE singer'),
  q('SELECT 1; SELECT 2'),
  q('SELECT * FROM singer FOR UPDATE'),
];

export const SQLITE_FAILING: Cases = {
  SYNTAX: [
    q('SELECT name, FROM singer', 'FROM'),
    q('SELECT name FROM singer ORDER age', 'age'),
    q("SELECT name FROM singer WHERE name = 'Joe", "'Joe"),
    q('SELECT name FROM singer WHERE age > 30 AND'),
    q('SELECT TOP 3 name FROM singer', '3'),
    q("SELECT name FROM singer WHERE name ILIKE 'j%'", 'ILIKE'),
    q('SELECT age::text FROM singer', ':'),
    q('SELECT * FROM singer ON 1 = 1', 'ON'),
  ],
  UNKNOWN_TABLE: [
    q('SELECT * FROM singers', 'singers', { candidate: 'singer' }),
    q('SELECT name FROM singr WHERE age > 3', 'singr', { candidate: 'singer' }),
    q('SELECT * FROM concerts JOIN stadium ON concerts.stadium_id = stadium.stadium_id', 'concerts', { candidate: 'concert' }),
    q('SELECT * FROM main.stadiums', 'stadiums', { qualifier: 'main', candidate: 'stadium' }),
    q('SELECT count(*) FROM singer_concert', 'singer_concert', { candidate: 'singer_in_concert' }),
    q('SELECT s.name FROM singer AS s WHERE x.age > 3', 'x'),
  ],
  UNKNOWN_COLUMN: [
    q('SELECT nam FROM singer', 'nam', { candidate: 'singer.name' }),
    q('SELECT singer.nme FROM singer', 'nme', { qualifier: 'singer', candidate: 'singer.name' }),
    q('SELECT s.agee FROM singer AS s', 'agee', { qualifier: 's', candidate: 'singer.age' }),
    q("SELECT name FROM singer WHERE countri = 'France'", 'countri', { candidate: 'singer.country' }),
    q('SELECT name FROM singer ORDER BY ages', 'ages', { candidate: 'singer.age' }),
    q('SELECT concert_name FROM concert JOIN stadium ON concert.stadium_id = stadium.id', 'id', { qualifier: 'stadium', candidate: 'stadium.stadium_id' }),
    q('SELECT * FROM singer JOIN concert USING (name)', 'name'),
  ],
  AMBIGUOUS_REFERENCE: [
    q('SELECT name FROM singer JOIN stadium ON 1 = 1', 'name', { candidate: 'singer.name' }),
    q('SELECT stadium_id FROM concert JOIN stadium ON concert.stadium_id = stadium.stadium_id', 'stadium_id', { candidate: 'concert.stadium_id' }),
    q('SELECT singer_id FROM singer JOIN singer_in_concert ON singer.singer_id = singer_in_concert.singer_id', 'singer_id', { candidate: 'singer.singer_id' }),
    q("SELECT name FROM singer, stadium WHERE name LIKE 'S%'", 'name', { candidate: 'singer.name' }),
    q('SELECT count(*) FROM concert JOIN stadium ON concert.stadium_id = stadium.stadium_id GROUP BY stadium_id', 'stadium_id'),
    q('WITH c AS (SELECT 1), c AS (SELECT 2) SELECT * FROM c', 'c'),
  ],
  UNKNOWN_FUNCTION: [
    q('SELECT lenght(name) FROM singer', 'lenght', { candidate: 'length' }),
    q('SELECT YEAR(year) FROM concert', 'YEAR'),
    q("SELECT name FROM singer WHERE CONTAINS(name, 'Joe')", 'CONTAINS'),
    q("SELECT DATEDIFF(year, '2010') FROM concert", 'DATEDIFF', { candidate: 'datetime' }),
    q('SELECT substr(name) FROM singer', 'substr', { candidate: 'substr' }),
    q('SELECT NVL(age, 0) FROM singer', 'NVL'),
    q('SELECT name FROM singer ORDER BY name COLLATE nocasee', 'nocasee'),
  ],
  GROUPING: [
    q('SELECT name FROM singer WHERE count(*) > 1', 'count'),
    q('SELECT country, count(*) FROM singer WHERE max(age) > 30 GROUP BY country', 'max'),
    q('SELECT country FROM singer GROUP BY count(*)'),
    q('SELECT sum(max(age)) FROM singer', 'max'),
    q('SELECT name FROM singer HAVING age > 3'),
    q('SELECT row_number() OVER () FROM singer WHERE row_number() OVER () > 1', 'row_number'),
  ],
  TYPE_MISMATCH: [
    q("SELECT name FROM singer LIMIT 'x'"),
    q('SELECT name FROM singer LIMIT 1.5'),
    q("SELECT name FROM singer LIMIT 2 OFFSET 'a'"),
    q('SELECT abs(-9223372036854775808)'),
    q("SELECT json_extract('{', '$')"),
    q("SELECT json_extract('{}', 'x')", 'x'),
  ],
  QUERY_SHAPE: [
    q('SELECT name FROM singer WHERE (age, name) = 3'),
    q('SELECT name FROM singer ORDER BY 5'),
    q('SELECT name FROM singer UNION SELECT name, age FROM singer'),
    q('SELECT name FROM singer WHERE age IN (SELECT age, name FROM singer)'),
    q('SELECT name FROM singer UNION SELECT name FROM stadium ORDER BY age'),
    q('WITH c(a, b) AS (SELECT 1) SELECT * FROM c', 'c'),
  ],
  TIMEOUT: [
    q(`${RECURSIVE} SELECT count(*) FROM c`),
    q(`${RECURSIVE} SELECT max(x) FROM c`),
    q(`${RECURSIVE} SELECT x FROM c WHERE x < 0`),
    q(`${RECURSIVE} SELECT sum(x) FROM c JOIN singer ON singer.age = c.x`),
    q('SELECT count(*) FROM singer a, singer b, singer c, singer d, singer e, singer f, singer g, singer h, singer i, singer j, singer k, singer l, singer m, singer n, singer o, singer p'),
  ],
  REJECTED: [...REJECTED, q('PRAGMA table_info(singer)'), q("SELECT load_extension('x')")],
};

export const PG_FAILING: Cases = {
  SYNTAX: [
    q('SELECT name, FROM singer', 'FROM'),
    q('SELECT name FROM singer ORDER age', 'age'),
    q("SELECT name FROM singer WHERE name = 'Joe", "'Joe"),
    q('SELECT name FROM singer WHERE age > 30 AND'),
    q('SELECT TOP 3 name FROM singer', '3'),
    q('SELECT `name` FROM singer', 'FROM'),
    q('SELECT * FROM singer ON 1 = 1', 'ON'),
  ],
  UNKNOWN_TABLE: [
    q('SELECT * FROM singers', 'singers', { candidate: 'singer' }),
    q('SELECT name FROM singr WHERE age > 3', 'singr', { candidate: 'singer' }),
    q('SELECT * FROM concerts JOIN stadium ON concerts.stadium_id = stadium.stadium_id', 'concerts', { candidate: 'concert' }),
    q('SELECT * FROM main.stadiums', 'stadiums', { qualifier: 'main', candidate: 'stadium' }),
    q('SELECT count(*) FROM singer_concert', 'singer_concert', { candidate: 'singer_in_concert' }),
    q('SELECT s.name FROM singer AS s WHERE x.age > 3', 'x'),
  ],
  UNKNOWN_COLUMN: [
    q('SELECT nam FROM singer', 'nam', { candidate: 'singer.name' }),
    q('SELECT singer.nme FROM singer', 'nme', { qualifier: 'singer', candidate: 'singer.name' }),
    q('SELECT s.agee FROM singer AS s', 'agee', { qualifier: 's', candidate: 'singer.age' }),
    q("SELECT name FROM singer WHERE countri = 'France'", 'countri', { candidate: 'singer.country' }),
    q('SELECT name FROM singer ORDER BY ages', 'ages', { candidate: 'singer.age' }),
    q('SELECT concert_name FROM concert JOIN stadium ON concert.stadium_id = stadium.id', 'id', { qualifier: 'stadium', candidate: 'stadium.stadium_id' }),
    q('SELECT * FROM singer JOIN concert USING (name)', 'name'),
  ],
  AMBIGUOUS_REFERENCE: [
    q('SELECT name FROM singer JOIN stadium ON 1 = 1', 'name', { candidate: 'singer.name' }),
    q('SELECT stadium_id FROM concert JOIN stadium ON concert.stadium_id = stadium.stadium_id', 'stadium_id', { candidate: 'concert.stadium_id' }),
    q('SELECT singer_id FROM singer JOIN singer_in_concert ON singer.singer_id = singer_in_concert.singer_id', 'singer_id', { candidate: 'singer.singer_id' }),
    q("SELECT name FROM singer, stadium WHERE name LIKE 'S%'", 'name', { candidate: 'singer.name' }),
    q('SELECT s.name FROM singer s JOIN stadium s ON 1 = 1', 's'),
    q('WITH c AS (SELECT 1), c AS (SELECT 2) SELECT * FROM c', 'c'),
  ],
  UNKNOWN_FUNCTION: [
    q('SELECT lenght(name) FROM singer', 'lenght', { candidate: 'length' }),
    q('SELECT YEAR(year) FROM concert', 'year'),
    q("SELECT name FROM singer WHERE CONTAINS(name, 'Joe')", 'contains'),
    q("SELECT strftime('%Y', year) FROM concert", 'strftime'),
    q('SELECT group_concat(name) FROM singer', 'group_concat'),
    q('SELECT ifnull(age, 0) FROM singer', 'ifnull'),
    q('SELECT name FROM singer ORDER BY name COLLATE nocasee', 'nocasee'),
  ],
  GROUPING: [
    q('SELECT name FROM singer WHERE count(*) > 1', 'count'),
    q('SELECT name, count(*) FROM singer GROUP BY country', 'name', { qualifier: 'singer' }),
    q('SELECT country FROM singer GROUP BY count(*)', 'count'),
    q('SELECT sum(max(age)) FROM singer', 'max'),
    q('SELECT name FROM singer GROUP BY country HAVING age > 30', 'name', { qualifier: 'singer' }),
    q('SELECT row_number() OVER () FROM singer WHERE row_number() OVER () > 1', 'row_number'),
  ],
  TYPE_MISMATCH: [
    q("SELECT name FROM singer WHERE age = 'old'", 'old'),
    q('SELECT name FROM singer WHERE name = 3', 'text = integer'),
    q("SELECT concert_name FROM concert WHERE year > 2014", 'text > integer'),
    q('SELECT age / 0 FROM singer'),
    q('SELECT CAST(name AS integer) FROM singer', 'Joe Sharp'),
    q("SELECT DATE '2014-13-45'", '2014-13-45'),
    q('SELECT name FROM singer UNION SELECT age FROM singer', 'age'),
  ],
  QUERY_SHAPE: [
    q('SELECT name FROM singer UNION SELECT name, age FROM singer', 'name'),
    q('SELECT name FROM singer WHERE age = (SELECT age, name FROM singer)'),
    q('SELECT name FROM singer WHERE age IN (SELECT age, name FROM singer)'),
    q('SELECT (SELECT name FROM singer) FROM stadium'),
    q('SELECT DISTINCT name FROM singer ORDER BY age', 'age'),
    q('SELECT name FROM singer ORDER BY 5'),
    q('WITH c(a, b) AS (SELECT 1) SELECT * FROM c', 'c'),
  ],
  TIMEOUT: [
    q('SELECT pg_sleep(5)'),
    q(`${RECURSIVE} SELECT count(*) FROM c`),
    q('SELECT count(*) FROM generate_series(1, 10000000000)'),
    q(`${RECURSIVE} SELECT max(x) FROM c`),
    q('SELECT count(*) FROM singer a, singer b, singer c, singer d, singer e, singer f, singer g, singer h, singer i, singer j, singer k, singer l, singer m, singer n, singer o, singer p'),
  ],
  REJECTED: [...REJECTED, q("SELECT pg_read_file('/etc/passwd')"), q("SELECT set_config('search_path', 'public', false)")],
};

/** Queries that run but are wrong, with the gold query of the same question. */
export const EMPTY_RESULTS: readonly (readonly [sql: string, gold: string])[] = [
  ["SELECT name FROM singer WHERE country = 'france'", "SELECT name FROM singer WHERE country = 'France'"],
  ['SELECT name FROM singer WHERE age > 100', 'SELECT name FROM singer WHERE age > 40'],
  ["SELECT concert_name FROM concert WHERE year = '2013'", "SELECT concert_name FROM concert WHERE year = '2014'"],
  ["SELECT name FROM stadium WHERE location LIKE 'Raith'", "SELECT name FROM stadium WHERE location LIKE '%Raith%'"],
  [
    'SELECT s.name FROM singer s JOIN singer_in_concert sic ON s.singer_id = sic.concert_id + 10',
    'SELECT s.name FROM singer s JOIN singer_in_concert sic ON s.singer_id = sic.singer_id',
  ],
];

export const WRONG_RESULTS: readonly (readonly [sql: string, gold: string])[] = [
  ['SELECT name FROM singer', "SELECT name FROM singer WHERE country = 'France'"],
  ['SELECT count(*) FROM singer', 'SELECT count(*) FROM singer WHERE age > 30'],
  ['SELECT name, age FROM singer', 'SELECT name FROM singer'],
  ['SELECT max(capacity) FROM stadium', 'SELECT min(capacity) FROM stadium'],
  ['SELECT name FROM singer ORDER BY age DESC LIMIT 1', 'SELECT name FROM singer ORDER BY age ASC LIMIT 1'],
];
