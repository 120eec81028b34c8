/**
 * npm run bench:hostile [-- --clients 64 --hostile 2 --seconds 15 --rounds 1 --database-url postgres://127.0.0.1:5432/test]
 *
 * What a few agents sending slow SQL cost everyone else. `clients` WebSocket clients play the bench episode (reset +
 * 5 quick custom_sql steps on the demo database) for `seconds`: alone, then beside `hostile` clients that send, one
 * after another, runaway queries (killed at SQL_TIMEOUT_MS), ~5 ms ones with a new text each time (which no server
 * can remember as slow, and each over the main thread's budget) or legitimately slow ones (~1 s alone). Servers in
 * the same run: the SQLite pool as shipped; as the baseline the same pool with its slow-query handling off
 * (SQL_SLOW_MS = SQL_TIMEOUT_MS: a slow query keeps its worker's place and its CPU priority); and, on SQLite, as
 * shipped but with every query on a worker (SQL_INLINE_BUDGET_MS=0). Ratios are each
 * server's quick steps/s over its own "alone" run of the same round. With --database-url the episodes run on the
 * PostgreSQL demo database (DATABASE_URL, DEFAULT_DIALECT=postgres) instead, through the PostgreSQL query pool.
 * Every server runs with the SQLite result cache off (SQL_RESULT_CACHE_MB=0): the quick clients repeat five texts,
 * and answered from the cache their SQL would never meet the hostile queries.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WsEnvClient } from '../src/client/index.js';
import { benchArgs, median, percentile, playEpisode, QUESTION, serverScript, startProcess } from './bench-process.js';

const args = benchArgs();
const CLIENTS = Number(args.get('--clients') ?? 64);
const HOSTILE = Number(args.get('--hostile') ?? 2);
const SECONDS = Number(args.get('--seconds') ?? 15);
const ROUNDS = Math.max(1, Number(args.get('--rounds') ?? 1));
const TIMEOUT_MS = 5000;
const DATABASE_URL = args.get('--database-url');
const DIALECT_ENV: Record<string, string> = DATABASE_URL === undefined ? {} : { DATABASE_URL, DEFAULT_DIALECT: 'postgres' };
const POOL_NAME = DATABASE_URL === undefined ? 'SQLite pool' : 'PostgreSQL pool';

/** A hostile client's n-th query. "each one new" differs every time, so no server can remember it as slow. */
const HOSTILE_SQL = {
  none: undefined,
  runaway: () => 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r',
  // why ~5 ms and new each time: over the main thread's budget (SQL_INLINE_BUDGET_MS), so each one is interrupted
  // there and run again on a worker; back to back, they test that such queries take at most their share of it.
  '~5 ms, each one new': (n: number) => `WITH RECURSIVE r(n) AS (SELECT ${n} UNION ALL SELECT n + 1 FROM r WHERE n < ${n} + 25000) SELECT count(*) FROM r`,
  'slow (~1 s alone)': () => 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5000000) SELECT count(*) FROM r',
} as const;
type Scenario = keyof typeof HOSTILE_SQL;

const POOLS = {
  'slow-query handling on (as shipped)': {},
  'off (baseline: SQL_SLOW_MS = SQL_TIMEOUT_MS)': { SQL_SLOW_MS: String(TIMEOUT_MS) },
  // why (SQLite only): what running quick queries on the main thread costs when hostile SQL keeps outgrowing it.
  'as shipped, every query on a worker (SQL_INLINE_BUDGET_MS=0)': { SQL_INLINE_BUDGET_MS: '0' },
} as const;
type Pool = keyof typeof POOLS;

interface Run {
  quickSteps: number;
  seconds: number;
  latenciesMs: number[];
  errors: number;
  hostileMs: number[];
  hostileTimeouts: number;
}

async function play(baseUrl: string, scenario: Scenario, seconds = SECONDS): Promise<Run> {
  const run: Run = { quickSteps: 0, seconds: 0, latenciesMs: [], errors: 0, hostileMs: [], hostileTimeouts: 0 };
  const hostileSql = HOSTILE_SQL[scenario];
  const endMs = Date.now() + seconds * 1000;
  const started = performance.now();
  const quick = Array.from({ length: CLIENTS }, async () => {
    const client = await WsEnvClient.connect(baseUrl);
    while (Date.now() < endMs) run.errors += await playEpisode(client, run.latenciesMs);
    await client.close();
  });
  let sent = 0;
  const hostile = Array.from({ length: hostileSql === undefined ? 0 : HOSTILE }, async () => {
    const client = await WsEnvClient.connect(baseUrl);
    while (Date.now() < endMs) {
      await client.reset({ task_id: 'simple_queries', question_id: QUESTION });
      for (let attempt = 0; attempt < 5 && Date.now() < endMs; attempt++) {
        const t0 = performance.now();
        const step = await client.step({ custom_sql: hostileSql?.((sent += 1)) ?? '' });
        run.hostileMs.push(performance.now() - t0);
        if (step.observation.error_class === 'TIMEOUT') run.hostileTimeouts += 1;
      }
    }
    await client.close();
  });
  await Promise.all(quick);
  run.seconds = (performance.now() - started) / 1000;
  run.quickSteps = run.latenciesMs.length;
  // why after the clock stops: the hostile clients' last query may run on to its time limit.
  await Promise.all(hostile);
  return run;
}

function row(pool: Pool, scenario: Scenario, runs: Run[], alone: Run[]): string {
  const sorted = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const rate = (r: Run): number => r.quickSteps / r.seconds;
  const ratio = median(runs.map((r, i) => rate(r) / rate(alone[i] as Run)));
  const hostileMs = runs.flatMap((r) => r.hostileMs);
  const hostile = hostileMs.length === 0 ? '— | — | —' : `${hostileMs.length} | ${runs.reduce((n, r) => n + r.hostileTimeouts, 0)} | ${(median(hostileMs) / 1000).toFixed(2)}`;
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  return `| ${pool} | ${scenario} | ${median(runs.map(rate)).toFixed(0)} | ${ratio.toFixed(2)} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${(sorted.at(-1) ?? NaN).toFixed(0)} | ${errors} | ${hostile} |`;
}

/** The inline row is SQLite's only: on PostgreSQL every query runs in its pool. */
function poolsToRun(): [Pool, Record<string, string>][] {
  const all = Object.entries(POOLS) as [Pool, Record<string, string>][];
  return DATABASE_URL === undefined ? all : all.filter(([, env]) => !('SQL_INLINE_BUDGET_MS' in env));
}

async function main(): Promise<void> {
  const { args: serverArgs, isBuilt } = serverScript();
  console.log(`server: ${isBuilt ? 'dist/main.js (compiled)' : 'src/main.ts via tsx'}; ${POOL_NAME}; ${CLIENTS} quick clients, ${HOSTILE} hostile; ${SECONDS} s a run; ${ROUNDS} round(s); ${os.cpus().length} cores; SQL_TIMEOUT_MS ${TIMEOUT_MS}`);
  const runs = new Map<string, Run[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [pool, env] of poolsToRun()) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-bench-hostile-'));
      const server = await startProcess(serverArgs, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: dataDir, MAX_CONCURRENT_ENVS: '1024', SQL_TIMEOUT_MS: String(TIMEOUT_MS), SQL_RESULT_CACHE_MB: '0', ...DIALECT_ENV, ...env });
      const baseUrl = `http://127.0.0.1:${server.port}`;
      await play(baseUrl, 'none', 3); // warm-up: workers, gold cache, JIT
      for (const scenario of Object.keys(HOSTILE_SQL) as Scenario[]) {
        const key = `${pool}\u0000${scenario}`;
        runs.set(key, [...(runs.get(key) ?? []), await play(baseUrl, scenario)]);
        console.error(`  done: ${pool}, ${scenario}, round ${round + 1}`);
      }
      server.child.kill('SIGTERM');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const lines = [
    `| ${POOL_NAME} | hostile clients send | quick steps/s | ÷ alone | p50 ms | p99 ms | max ms | errors | hostile steps | of them timed out | hostile step median s |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [pool] of poolsToRun()) {
    const alone = runs.get(`${pool}\u0000none`) ?? [];
    for (const scenario of Object.keys(HOSTILE_SQL) as Scenario[]) lines.push(row(pool, scenario, runs.get(`${pool}\u0000${scenario}`) ?? [], alone));
  }
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
