import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbSchema } from '../../../src/env/db/engine.js';
import { createSqliteEngine, type SqliteEngine } from '../../../src/env/db/sqlite-engine.js';
import { DEMO_DATABASE, ensureDemoSqlite } from '../../../src/env/tasks/demo-db.js';
import { FAULT_KIND_NAMES, FAULT_KINDS, faultKindByName, generateFaults } from '../../../src/rl/faults/index.js';
import { createRng } from '../../../src/rl/rng.js';
import { silentLogger } from '../../helpers/logs.js';
import { testConfig } from '../../helpers/test-config.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { createFaultJudge, type FaultJudge } from './fault-harness.js';

/** A gold query over the demo database that each fault kind applies to. */
const CASES: Record<string, string> = {
  'misspell-column': "SELECT company_name, city FROM customers WHERE country = 'Germany'",
  'misspell-table': "SELECT company_name, city FROM customers WHERE country = 'Germany'",
  'missing-join': 'SELECT c.segment, COUNT(*) AS order_count FROM orders o JOIN customers c ON c.customer_id = o.customer_id GROUP BY c.segment',
  'ambiguous-column': 'SELECT c.segment, COUNT(*) AS order_count FROM orders o JOIN customers c ON c.customer_id = o.customer_id GROUP BY c.segment',
  'foreign-function': 'SELECT COUNT(*) AS customer_count, MAX(city) FROM customers',
  'aggregate-in-where': "SELECT status, COUNT(*) FROM orders WHERE order_date >= '2024-01-01' GROUP BY status HAVING COUNT(*) > 5",
  'missing-group-by': 'SELECT status, COUNT(*) AS order_count FROM orders GROUP BY status',
  'wrong-order-direction': 'SELECT name, unit_price_cents FROM products ORDER BY unit_price_cents DESC, product_id LIMIT 5',
  'drop-predicate': "SELECT order_id FROM orders WHERE status = 'delivered' AND order_date >= '2024-06-01'",
  'wrong-literal': "SELECT company_name, city FROM customers WHERE country = 'Germany'",
  'column-count-mismatch': 'SELECT company_name FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders)',
  'syntax-slip': "SELECT name FROM products WHERE category_id IN (SELECT category_id FROM categories WHERE name = 'Laptops')",
};

let engine: SqliteEngine;
let schema: DbSchema;
let judge: FaultJudge;

beforeAll(async () => {
  const file = await ensureDemoSqlite(tmpDir('sre-faults-'), silentLogger());
  engine = createSqliteEngine(testConfig({ SQL_WORKERS: '1' }).sql, silentLogger(), { [DEMO_DATABASE]: file });
  schema = await engine.schema(DEMO_DATABASE);
  judge = createFaultJudge(engine);
});

afterAll(() => engine.close());

describe('fault kinds on the demo database, executed for real', () => {
  it('has a case for every kind', () => {
    expect(Object.keys(CASES).sort()).toEqual([...FAULT_KIND_NAMES].sort());
  });

  for (const kind of FAULT_KINDS) {
    it(`${kind.name} gives ${kind.expectedClass} for every seed`, async () => {
      const gold = CASES[kind.name] as string;
      for (let seed = 0; seed < 6; seed += 1) {
        const sql = kind.apply(gold, schema, createRng(seed));
        expect(sql, `seed ${seed}`).toBeDefined();
        expect(sql).not.toBe(gold);
        expect(await judge.classOf(DEMO_DATABASE, gold, sql as string, false), `${sql}`).toBe(kind.expectedClass);
      }
    });
  }
});

describe('fault kinds as text transformations', () => {
  it('are pure: the same seed gives the same corrupted SQL', () => {
    for (const kind of FAULT_KINDS) {
      const gold = CASES[kind.name] as string;
      expect(kind.apply(gold, schema, createRng(11))).toBe(kind.apply(gold, schema, createRng(11)));
    }
  });

  it('misspell names into no other name of the schema', () => {
    const names = new Set(schema.tables.flatMap((t) => [t.name, ...t.columns.map((c) => c.name)]).map((n) => n.toLowerCase()));
    for (let seed = 0; seed < 30; seed += 1) {
      const sql = faultKindByName('misspell-column')?.apply('SELECT company_name, city, country FROM customers', schema, createRng(seed)) as string;
      const words = sql.replace(/^SELECT /, '').replace(/ FROM customers$/, '').split(', ');
      const typos = words.filter((w) => !names.has(w.toLowerCase()));
      expect(typos).toHaveLength(1);
    }
  });

  it('do not apply where the clause they break is absent', () => {
    const plain = 'SELECT name FROM products';
    for (const name of ['missing-join', 'ambiguous-column', 'aggregate-in-where', 'missing-group-by', 'wrong-order-direction', 'drop-predicate', 'wrong-literal', 'column-count-mismatch', 'foreign-function']) {
      expect(faultKindByName(name)?.apply(plain, schema, createRng(1)), name).toBeUndefined();
    }
    expect(faultKindByName('aggregate-in-where')?.apply(CASES['missing-group-by'] as string, schema, createRng(1))).toBeUndefined();
    expect(faultKindByName('missing-group-by')?.apply(CASES['aggregate-in-where'] as string, schema, createRng(1))).toBeUndefined();
  });

  it('moves a HAVING condition into an existing WHERE with AND', () => {
    const sql = faultKindByName('aggregate-in-where')?.apply(CASES['aggregate-in-where'] as string, schema, createRng(1));
    expect(sql).toBe("SELECT status, COUNT(*) FROM orders WHERE order_date >= '2024-01-01' AND COUNT(*) > 5 GROUP BY status");
  });

  it('flips the first ORDER BY term only', () => {
    const sql = faultKindByName('wrong-order-direction')?.apply(CASES['wrong-order-direction'] as string, schema, createRng(1));
    expect(sql).toBe('SELECT name, unit_price_cents FROM products ORDER BY unit_price_cents ASC, product_id LIMIT 5');
  });
});

describe('generateFaults', () => {
  const gold = 'SELECT c.segment, COUNT(*) AS order_count FROM orders o JOIN customers c ON c.customer_id = o.customer_id WHERE c.country = \'Germany\' GROUP BY c.segment ORDER BY COUNT(*) DESC';

  it('gives one fault per applicable kind, each different from gold, with its kind and class', () => {
    const faults = generateFaults(gold, schema, createRng(5));
    expect(faults.length).toBeGreaterThanOrEqual(8);
    expect(new Set(faults.map((f) => f.kind)).size).toBe(faults.length);
    for (const f of faults) {
      expect(f.sql).not.toBe(gold);
      expect(f.expectedClass).toBe(faultKindByName(f.kind)?.expectedClass);
    }
  });

  it('is deterministic for a seed and orders the kinds differently for other seeds', () => {
    expect(generateFaults(gold, schema, createRng(5))).toEqual(generateFaults(gold, schema, createRng(5)));
    const orders = new Set(Array.from({ length: 8 }, (_, seed) => generateFaults(gold, schema, createRng(seed)).map((f) => f.kind).join(',')));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('draws only from the kinds it is given', () => {
    const kinds = FAULT_KINDS.filter((k) => k.name === 'wrong-literal' || k.name === 'syntax-slip');
    expect(generateFaults(gold, schema, createRng(2), kinds).map((f) => f.kind).sort()).toEqual(['syntax-slip', 'wrong-literal']);
  });
});
