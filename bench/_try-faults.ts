import { loadSpiderDataset } from '../src/env/tasks/spider-loader.js';
import { createSqliteEngine } from '../src/env/db/sqlite-engine.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { generateFaults, executeFaults } from '../src/rl/faults/index.js';
import { classifyFailure, classifyOutcome } from '../src/rl/error-class.js';
import { createRng } from '../src/rl/rng.js';
const ds = await loadSpiderDataset('/work/shared/data/spider-train');
const cfg = loadConfig({ LOG_LEVEL: 'silent', SQL_WORKERS: '2' });
const engine = createSqliteEngine(cfg.sql, createLogger({ level: 'silent', pretty: false }), ds.databases);
const rng = createRng(7);
const qs = ds.task.questions.filter((_, i) => i % 40 === 0).slice(0, 60);
const stats: Record<string, Record<string, number>> = {};
let shown = 0;
for (const q of qs) {
  const schema = await engine.schema(q.database);
  const gold = q.gold as string;
  const faults = generateFaults(gold, schema, rng);
  const ex = await executeFaults(faults, { engine, database: q.database, goldSql: gold, legacyDoubleQuotes: true });
  const kept = new Set(ex.map((e) => e.kind));
  for (const f of faults) if (!kept.has(f.kind)) { (stats[f.kind] ??= {})['NOT_BROKEN'] = (stats[f.kind]?.['NOT_BROKEN'] ?? 0) + 1; }
  for (const e of ex) {
    const info = e.result.ok ? classifyOutcome(e.result, { isMatch: false, goldRowCount: e.goldRowCount }) : classifyFailure(e.result, e.sql, schema);
    const cls = info?.errorClass ?? 'MATCH';
    (stats[e.kind] ??= {})[cls] = (stats[e.kind]?.[cls] ?? 0) + 1;
    if (cls !== e.expectedClass && shown < 25) { shown++; console.log(e.kind, cls, '|', gold, '\n   =>', e.sql, '\n   ', e.result.ok ? '' : e.result.message); }
  }
}
console.log(stats);
await engine.close();
