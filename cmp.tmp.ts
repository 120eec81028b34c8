import Database from 'better-sqlite3';
import fs from 'node:fs';
import { createPgEngine } from './src/env/db/pg-engine.js';
import { createLogger } from './src/logger.js';
const dir = '/work/shared/data/spider-train';
const qs = JSON.parse(fs.readFileSync(dir + '/questions.json', 'utf8')) as { db_id: string; query: string }[];
const e = await createPgEngine({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/s2p_scratch_helper', timeoutMs: 5000, maxRows: 100000, cellCapBytes: 1e9, pgPoolSize: 2 }, createLogger({ level: 'silent', pretty: false }));
const dbs = new Map<string, Database.Database>();
let sqliteOk = 0, pgOk = 0, sameCount = 0, sameRows = 0;
const codes = new Map<string, number>(); const mism: string[] = [];
const canon = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r.map((v) => typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v))).sort();
for (const q of qs.filter((x) => ["hr_1","cre_Doc_Tracking_DB","college_1"].includes(x.db_id))) {
  let db = dbs.get(q.db_id);
  if (!db) { db = new Database(`${dir}/database/${q.db_id}/${q.db_id}.sqlite`, { readonly: true }); dbs.set(q.db_id, db); }
  let rows: unknown[][];
  try { rows = db.prepare(q.query).raw(true).all() as unknown[][]; } catch { continue; }
  sqliteOk++;
  const r = await e.execute(q.db_id, q.query);
  if (!r.ok) { codes.set(r.code, (codes.get(r.code) ?? 0) + 1); continue; }
  pgOk++;
  if (r.rowCount === rows.length) sameCount++; else mism.push(`${q.db_id}: ${q.query} sqlite=${rows.length} pg=${r.rowCount}`);
  if (JSON.stringify(canon(rows)) === JSON.stringify(canon(r.rows))) sameRows++;
}
console.log({ total: qs.length, sqliteOk, pgOk, sameCount, sameRows });
console.log([...codes].sort((a, b) => b[1] - a[1]));
console.log(mism.slice(0, 40).join('\n'));
await e.close();
