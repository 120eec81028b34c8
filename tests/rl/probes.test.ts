import { describe, expect, it, vi } from 'vitest';
import type { DbSchema } from '../../src/env/db/engine.js';
import { ARMS } from '../../src/rl/arms.js';
import { PROBE_TIMEOUT_MS, probeFilters, probeJoinPaths, probeValues, runProbes, type ProbeContext } from '../../src/rl/probes.js';
import { describePg, uniqueSchema } from '../helpers/pg.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { pgFixtureDatabase, sqliteFixtureDatabase, type FixtureDatabase, useFixtureDatabase } from './repair-fixture.js';

function probeSuite(name: string, setup: () => Promise<FixtureDatabase>) {
  describe(name, () => {
    const db = useFixtureDatabase(setup);

    const ctx = (sql: string | null, extra: Partial<ProbeContext> = {}): ProbeContext => ({ database: db.database, sql, schema: db.schema, ...extra });

    it('PROBE_VALUES shows the stored spelling of a text literal and the closest values of a misspelt one', async () => {
      const out = await probeValues(ctx("SELECT T1.name FROM singer AS T1 WHERE T1.country = 'france' AND name = 'Stark''s Park'"), db.engine);
      expect(out.kind).toBe('values');
      expect(out.lines[0]).toMatch(/^singer\.country \(TEXT\) = 'france': stored values containing it: 'France'; closest of the 3 most common values: 'France'/);
      expect(out.lines[1]).toContain("singer.name (TEXT) = 'Stark''s Park': no stored value contains 'Stark''s Park'");
      const typo = await probeValues(ctx("SELECT name FROM singer WHERE country = 'Frence'"), db.engine);
      expect(typo.lines[0]).toContain("closest of the 3 most common values: 'France'");
      expect(typo.queries).toBe(2);
    });

    it('PROBE_VALUES gives the range of a numeric column and says when no literal is compared', async () => {
      const out = await probeValues(ctx('SELECT name FROM singer WHERE age > 100'), db.engine);
      expect(out.lines).toEqual(['singer.age (INTEGER) > 100: stored values range from 29 to 52 (4 distinct)']);
      expect(out.queries).toBe(1);
      const none = await probeValues(ctx('SELECT name FROM singer WHERE age = singer_id'), db.engine);
      expect(none).toMatchObject({ queries: 0, lines: ['The query compares no known column with a literal value.'] });
    });

    it('RELAX_FILTERS names the predicate whose removal brings rows back', async () => {
      const out = await probeFilters(ctx("SELECT name FROM singer WHERE age > 30 AND country = 'france' ORDER BY name"), db.engine);
      expect(out.lines[0]).toBe("Dropping only `country = 'france'` brings rows back.");
      expect(out.lines).toContain('without `age > 30`: still no rows');
      expect(out.lines).toContain("without `country = 'france'`: 3 row(s), first: ('Joe Sharp')");
      expect(out.lines).toContain("without any WHERE filter: 3+ row(s), first: ('Joe Sharp')");
      expect(out.queries).toBe(3);
    });

    it('RELAX_FILTERS tries LEFT JOINs and says when nothing can be relaxed', async () => {
      const out = await probeFilters(ctx('SELECT s.name FROM singer s JOIN singer_in_concert sic ON s.singer_id = sic.concert_id + 10 ORDER BY s.name'), db.engine);
      expect(out.lines).toEqual(['No single filter explains the empty result.', "with every inner JOIN made a LEFT JOIN: 3+ row(s), first: ('Joe Sharp')"]);
      expect(await probeFilters(ctx('SELECT name FROM singer'), db.engine)).toMatchObject({ queries: 0, lines: ['The query has no WHERE filter or inner join to relax.'] });
    });

    it('FIX_JOIN_PATH finds the foreign-key path to the table of the best candidate and checks it has rows', async () => {
      const diagnosis = { errorClass: 'UNKNOWN_COLUMN', candidates: [{ name: 'concert.concert_name', score: 0.8 }] };
      const out = await probeJoinPaths(ctx("SELECT name FROM singer WHERE concert_nam = 'Auditions'", { diagnosis }), db.engine);
      expect(out.lines).toEqual([
        'singer → concert: singer JOIN singer_in_concert ON singer_in_concert.singer_id = singer.singer_id JOIN concert ON concert.concert_id = singer_in_concert.concert_id (joined rows exist)',
      ]);
      expect(out.queries).toBe(1);
    });

    it('FIX_JOIN_PATH infers joins from key column names when no foreign key is declared', async () => {
      const bare: DbSchema = { ...db.schema, tables: db.schema.tables.map((t) => ({ ...t, foreignKeys: [] })) };
      const out = await probeJoinPaths({ database: db.database, schema: bare, sql: 'SELECT * FROM stadium JOIN singer ON 1 = 1' }, db.engine);
      expect(out.lines[0]).toMatch(/^stadium → singer: stadium JOIN concert ON concert\.stadium_id = stadium\.stadium_id JOIN singer_in_concert .* JOIN singer .*\(joined rows exist, partly inferred from column names\)$/);
      const one = await probeJoinPaths(ctx('SELECT * FROM stadium'), db.engine);
      expect(one.lines[0]).toBe('stadium links to: concert ON concert.stadium_id = stadium.stadium_id');
    });

    it('runs only the probes of the arm, through engine.execute with the probe timeout and small row caps', async () => {
      const spy = vi.spyOn(db.engine, 'execute');
      try {
        const sql = "SELECT name FROM singer WHERE country = 'france'";
        const outputs = await runProbes(ARMS.PROBE_VALUES, ctx(sql), db.engine);
        expect(outputs.map((o) => o.kind)).toEqual(['values']);
        expect(spy).toHaveBeenCalledTimes(outputs[0]?.queries ?? -1);
        for (const call of spy.mock.calls) {
          expect(call[0]).toBe(db.database);
          expect(call[2]).toMatchObject({ timeoutMs: PROBE_TIMEOUT_MS });
          expect(call[2]?.maxRows).toBeLessThanOrEqual(50);
        }
        expect(await runProbes('FIX_IDENTIFIER', ctx(sql), db.engine)).toEqual([]);
        expect(await runProbes('NO_SUCH_ARM', ctx(sql), db.engine)).toEqual([]);
        expect(await runProbes('RELAX_FILTERS', ctx(null), db.engine)).toEqual([]);
        expect((await runProbes('RELAX_FILTERS', ctx(sql, { timeoutMs: 777 }), db.engine))[0]?.kind).toBe('filters');
        expect(spy.mock.calls.at(-1)?.[2]).toMatchObject({ timeoutMs: 777 });
      } finally {
        spy.mockRestore();
      }
    });
  });
}

const dir = tmpDir('rl-probes-');

probeSuite('probes on SQLite', async () => sqliteFixtureDatabase(dir));

describePg('PostgreSQL', () => {
  const schemaName = uniqueSchema('rl_probes');
  probeSuite('probes on PostgreSQL', () => pgFixtureDatabase(schemaName));
});
