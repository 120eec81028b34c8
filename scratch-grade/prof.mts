import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '/work/main/src/config.ts';
import { createSqliteEngine } from '/work/main/src/env/db/sqlite-engine.ts';
import { spiderResultEq } from '/work/main/src/env/grade/compare.ts';
import { createLogger } from '/work/main/src/logger.ts';
const D='/work/shared/data/spider-train';
const qs = JSON.parse(fs.readFileSync(D+'/questions.json','utf8'));
const cfg = loadConfig({ LOG_LEVEL: 'silent' });
const engine = createSqliteEngine(cfg.sql, createLogger(cfg.log));
for (const db of new Set(qs.map((q:any)=>q.db_id))) engine.addDatabase(db as string, path.join(D,'database',db as string,`${db}.sqlite`));
const rs:any[]=[];
for (const q of qs) { const r = await engine.execute(q.db_id, q.query, {legacyDoubleQuotes:true, maxRows: 100000}); if (r.ok) rs.push(r); }
const times = rs.map(r => { const t=performance.now(); spiderResultEq(r, {...r, rows:[...r.rows].reverse()}, false); return [performance.now()-t, r.rows.length, r.columns.length, r.executedSql]; });
times.sort((a,b)=>b[0]-a[0]);
console.log(times.slice(0,8));
console.log('total', times.reduce((s,t)=>s+t[0],0));
await engine.close();
