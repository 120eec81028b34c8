/**
 * npm run bench:server [-- --clients 1,16,64,256 --episodes-per-client 20 --rounds 3 --warmup-episodes 10
 *                          --policy-store-url postgres://127.0.0.1:5432/test --sql-result-cache-mb 0]
 *
 * N concurrent WebSocket clients each run episodes of reset + 5 custom_sql steps on the demo database against a real
 * server process. Baselines measured in the same run: a bare `ws` server answering each frame at once with a frame
 * of the environment's mean reply size (same clients, same request frames) and the episode core called in-process
 * (no sockets). Reports steps/s and p50/p99 step latency. With --rounds N the three targets run in turn N times per
 * client count (this VM's speed drifts by ±10–15% within minutes): steps/s is the median round, latencies are
 * pooled, and each ratio is taken within a round and reported as the median (min–max). Before each measured round the
 * target plays --warmup-episodes unmeasured episodes per client at that client count. On Linux a last table shows
 * where the CPU of a step over /ws went (server main thread, its other threads, SQLite workers, load generator), and
 * another what stalled the server's event loop (GC pauses and policy-log commits, from its /metrics).
 * With --policy-store-url the server and the in-process core keep their policy in that PostgreSQL (POLICY_STORE_URL),
 * each run in a fresh schema dropped at the end, instead of the SQLite file in a fresh DATA_DIR. The episode repeats
 * five SQL texts, so as shipped the server answers them from its SQLite result cache after their first run;
 * --sql-result-cache-mb 0 gives both the server and the in-process core SQL_RESULT_CACHE_MB=0, and every step runs
 * its query.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { WsEnvClient } from '../src/client/index.js';
import { composeService } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { benchArgs, median, percentile, playEpisode, QUESTION, serverScript, startProcess, STEPS } from './bench-process.js';
import { cpuPerStep, readCpu, type CpuPerStep } from './proc-cpu.js';
import { readStalls, stallRates, type StallRates } from './server-stalls.js';

const args = benchArgs();
const CLIENTS = (args.get('--clients') ?? '1,16,64,256').split(',').map(Number);
const EPISODES_PER_CLIENT = Number(args.get('--episodes-per-client') ?? 10);
const ROUNDS = Math.max(1, Number(args.get('--rounds') ?? 1));
/**
 * Unmeasured episodes per client that each target plays at the round's client count right before each measured
 * round. why: the targets take turns, so each comes back to its round after sitting idle through the others'. At 64
 * clients the server did ~18% fewer steps/s without it (5,053 against 6,182, same build and hour), and the bare
 * server ~22% fewer messages/s; the ratios between targets barely moved.
 */
const WARMUP_EPISODES = Number(args.get('--warmup-episodes') ?? 10);
const POLICY_STORE_URL = args.get('--policy-store-url');
const RESULT_CACHE_ENV: Record<string, string> = args.has('--sql-result-cache-mb') ? { SQL_RESULT_CACHE_MB: args.get('--sql-result-cache-mb') ?? '' } : {};
const policySchemas: string[] = [];

/** The policy-store settings of one target: a fresh PostgreSQL schema with --policy-store-url, else none (SQLite). */
function policyStoreEnv(target: string): Record<string, string> {
  if (POLICY_STORE_URL === undefined) return {};
  const schema = `bench_${target}_${process.pid}_${policySchemas.length}`;
  policySchemas.push(schema);
  return { POLICY_STORE_URL, POLICY_STORE_SCHEMA: schema };
}

async function dropPolicySchemas(): Promise<void> {
  if (POLICY_STORE_URL === undefined) return;
  const client = new pg.Client({ connectionString: POLICY_STORE_URL });
  await client.connect();
  for (const schema of policySchemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

interface Run {
  steps: number;
  seconds: number;
  latenciesMs: number[];
  errors: number;
  /** Where the CPU went (env runs on Linux only). */
  cpu?: CpuPerStep;
  /** What stalled the server's event loop (env runs only). */
  stalls?: StallRates;
}

/** Each client runs its episodes back to back; a step's latency is send → reply. */
async function runEnvClients(baseUrl: string, clients: number, serverPid?: number, episodesPerClient = EPISODES_PER_CLIENT): Promise<Run> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const cpuBefore = serverPid === undefined ? undefined : readCpu(serverPid);
  const stallsBefore = serverPid === undefined ? undefined : await readStalls(baseUrl);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = await WsEnvClient.connect(baseUrl);
      for (let e = 0; e < episodesPerClient; e++) errors += await playEpisode(client, latenciesMs);
      await client.close();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = serverPid === undefined ? undefined : readCpu(serverPid);
  const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuPerStep(cpuBefore, cpuAfter, latenciesMs.length) : undefined;
  const stalls = stallsBefore === undefined ? undefined : stallRates(stallsBefore, await readStalls(baseUrl), seconds);
  return { steps: latenciesMs.length, seconds, latenciesMs, errors, cpu, stalls };
}

/** The same number of request/reply round trips against the bare server, with the env's step request frames. */
async function runEchoClients(port: number, clients: number, episodesPerClient = EPISODES_PER_CLIENT): Promise<Run> {
  const latenciesMs: number[] = [];
  const payload = JSON.stringify({ type: 'step', data: { custom_sql: STEPS[1] } });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      await new Promise((r) => ws.once('open', r));
      for (let i = 0; i < episodesPerClient * STEPS.length; i++) {
        const t0 = performance.now();
        await new Promise((resolve) => {
          ws.once('message', resolve);
          ws.send(payload);
        });
        latenciesMs.push(performance.now() - t0);
      }
      ws.close();
    }),
  );
  return { steps: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs, errors: 0 };
}

/** The mean size of a step reply frame over one episode, for the bare server's replies. */
async function meanStepReplyBytes(baseUrl: string): Promise<number> {
  const client = await WsEnvClient.connect(baseUrl);
  await client.reset({ task_id: 'simple_queries', question_id: QUESTION });
  let bytes = 0;
  for (const sql of STEPS) bytes += JSON.stringify({ type: 'observation', data: await client.step({ custom_sql: sql }) }).length;
  await client.close();
  return Math.round(bytes / STEPS.length);
}

/** Episodes on the in-process core: no sockets, no JSON; `clients` concurrent loops on one event loop. */
async function runInProcess(clients: number): Promise<Run> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-bench-core-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, PORT: '0', ...RESULT_CACHE_ENV, ...policyStoreEnv('core') });
  const service = await composeService(config, createLogger(config.log));
  const play = async (episodesPerClient: number, latenciesMs: number[]): Promise<void> => {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let e = 0; e < episodesPerClient; e++) {
          const episode = service.env.createEpisode();
          await episode.reset({ task_id: 'simple_queries', question_id: QUESTION });
          for (const sql of STEPS) {
            const t0 = performance.now();
            await episode.step({ custom_sql: sql, metadata: {} });
            latenciesMs.push(performance.now() - t0);
          }
          episode.close();
        }
      }),
    );
  };
  await play(WARMUP_EPISODES, []);
  const latenciesMs: number[] = [];
  const started = performance.now();
  await play(EPISODES_PER_CLIENT, latenciesMs);
  const run = { steps: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs, errors: 0 };
  await service.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return run;
}

/** One table row over a target's rounds: median steps/s, pooled latency percentiles, all errors. */
function row(name: string, clients: number, runs: Run[]): string {
  const sorted = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const rate = median(runs.map((r) => r.steps / r.seconds));
  const steps = runs.reduce((n, r) => n + r.steps, 0);
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  return `| ${name} | ${clients} | ${steps} | ${rate.toFixed(0)} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${errors} |`;
}

/** The env's CPU per step by process and thread, the median over rounds of each. */
function cpuRow(clients: number, runs: Run[]): string | undefined {
  const cpus = runs.flatMap((r) => (r.cpu === undefined ? [] : [r.cpu]));
  if (cpus.length === 0) return undefined;
  const us = (key: keyof CpuPerStep): string => median(cpus.map((c) => c[key])).toFixed(0);
  const total = median(cpus.map((c) => c.mainThread + c.otherServerThreads + c.sqliteWorkers + c.loadGenerator));
  const mainShare = median(runs.flatMap((r) => (r.cpu === undefined ? [] : [(r.cpu.mainThread * r.steps) / (r.seconds * 1e6)])));
  return `| ${clients} | ${us('mainThread')} | ${us('otherServerThreads')} | ${us('sqliteWorkers')} | ${us('loadGenerator')} | ${total.toFixed(0)} | ${mainShare.toFixed(2)} | ${median(cpus.map((c) => c.machineBusyShare * os.cpus().length)).toFixed(2)} |`;
}

/** What stalled the server's event loop, the median over rounds of each. */
function stallRow(clients: number, runs: Run[]): string {
  const stalls = runs.flatMap((r) => (r.stalls === undefined ? [] : [r.stalls]));
  const m = (key: keyof StallRates, digits = 1): string => median(stalls.map((s) => s[key])).toFixed(digits);
  return `| ${clients} | ${m('minorGcsPerSecond')} | ${m('minorGcMs', 2)} | ${m('majorGcMsPerSecond')} | ${m('commitsPerSecond', 0)} | ${m('slowCommitsPerSecond')} |`;
}

/** The env's rate over a baseline's, round by round: the median, and the range when there are several rounds. */
function ratio(env: Run[], baseline: Run[]): string {
  const ratios = env.map((r, i) => r.steps / r.seconds / ((baseline[i]?.steps ?? 0) / (baseline[i]?.seconds ?? 1)));
  const range = ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})` : '';
  return `${median(ratios).toFixed(3)}${range}`;
}

async function main(): Promise<void> {
  const { args: serverArgs, isBuilt } = serverScript();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-bench-server-'));
  const server = await startProcess(serverArgs, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: dataDir, MAX_CONCURRENT_ENVS: '1024', ...RESULT_CACHE_ENV, ...policyStoreEnv('server') });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const replyBytes = await meanStepReplyBytes(baseUrl);
  const echo = await startProcess(['--import', 'tsx', 'bench/echo-server.ts', String(replyBytes)], {});
  console.log(`server: ${isBuilt ? 'dist/main.js (compiled)' : 'src/main.ts via tsx'}; policy store: ${POLICY_STORE_URL === undefined ? 'SQLite' : 'PostgreSQL'}; SQLite result cache: ${RESULT_CACHE_ENV.SQL_RESULT_CACHE_MB === undefined ? 'default' : `${RESULT_CACHE_ENV.SQL_RESULT_CACHE_MB} MB`}; ${EPISODES_PER_CLIENT} episodes per client of reset + ${STEPS.length} custom_sql steps; ${ROUNDS} round(s), each after ${WARMUP_EPISODES} warm-up episodes per client; ${os.cpus().length} cores; mean step reply ${replyBytes} bytes`);
  await runEnvClients(baseUrl, 4); // warm-up: workers, gold cache, JIT
  const lines = ['| target | clients | steps | steps/s | p50 ms | p99 ms | errors |', '|---|---|---|---|---|---|---|'];
  const ratioLines = ['| clients | env ÷ bare ws server | env ÷ in-process core |', '|---|---|---|'];
  const cpuLines = [
    '| clients | server main thread | other server threads | SQLite workers | load generator | all | main thread busy (cores) | machine busy (cores) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const stallLines = [
    '| clients | scavenges a second | ms each | major GC ms a second | policy-log commits a second | commits over 4 ms a second |',
    '|---|---|---|---|---|---|',
  ];
  for (const clients of CLIENTS) {
    const runs: Record<'env' | 'echo' | 'core', Run[]> = { env: [], echo: [], core: [] };
    for (let round = 0; round < ROUNDS; round++) {
      await runEnvClients(baseUrl, clients, undefined, WARMUP_EPISODES);
      runs.env.push(await runEnvClients(baseUrl, clients, server.child.pid));
      await runEchoClients(echo.port, clients, WARMUP_EPISODES);
      runs.echo.push(await runEchoClients(echo.port, clients));
      runs.core.push(await runInProcess(clients));
    }
    lines.push(row('sql-repair-env over /ws', clients, runs.env), row('bare ws server, same frames', clients, runs.echo), row('episode core in-process', clients, runs.core));
    ratioLines.push(`| ${clients} | ${ratio(runs.env, runs.echo)} | ${ratio(runs.env, runs.core)} |`);
    const cpu = cpuRow(clients, runs.env);
    if (cpu !== undefined) cpuLines.push(cpu);
    stallLines.push(stallRow(clients, runs.env));
    console.error(`  done: ${clients} clients`);
  }
  console.log(lines.join('\n'));
  console.log(`\n${ratioLines.join('\n')}`);
  if (cpuLines.length > 2) console.log(`\nCPU µs per step over /ws (median of the rounds; Linux /proc):\n${cpuLines.join('\n')}`);
  console.log(`\nWhat stalled the server's event loop over /ws (median of the rounds; its /metrics):\n${stallLines.join('\n')}`);
  server.child.kill('SIGTERM');
  echo.child.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
  await dropPolicySchemas();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
