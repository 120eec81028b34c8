/**
 * Does LinUCB pick better repair arms than the fixed class → arm table? A simulated repair environment built from
 * real data (bench/bandit-sim.ts says exactly what is real and what is simulated): Spider train gold queries
 * corrupted by every fault kind of src/rl/faults, executed on SQLite, classified, turned into context vectors.
 * Each episode draws one real failure; the policy picks an arm among the feasible ones; the simulator flips a coin
 * with P(fix | fault kind, arm) and pays repairReward. Every policy sees the same episodes and the same coins.
 * - LinUCB: createLinUcbPolicy with the service's settings (POLICY_ALPHA/EPSILON/SEED defaults, α decay, the
 *   warm-start prior from the fixed table), persisted in a temp-dir SQLite policy store;
 * - fixed table: DEFAULT_CLASS_ARM_TABLE via fixedPolicyArm; uniform: a random feasible arm;
 * - per-class oracle: knows each arm's true mean reward per observed error class (the best any policy that sees
 *   only the class can do); per-fault oracle: knows the hidden fault kind (an upper bound, no policy sees it).
 * Regret is in expected reward against the per-class oracle (negative: better than any class-only policy).
 * Then runs bench/bandit-cost.bench.ts (decide+update cost at K=10, d=24 against a naive full inverse).
 * Run: npm run bench:bandit [-- <episodes, default 5000>]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { createSqliteEngine } from '../src/env/db/sqlite-engine.js';
import { loadSpiderDataset } from '../src/env/tasks/spider-loader.js';
import { createLogger } from '../src/logger.js';
import { ARM_NAMES, type ArmName } from '../src/rl/arms.js';
import { classFeatureIndex, FEATURE_DIM, FEATURE_SCHEMA_HASH } from '../src/rl/features.js';
import { FAULT_KIND_NAMES } from '../src/rl/faults/index.js';
import { shuffle } from '../src/rl/faults/sql-edit.js';
import { createLinUcbPolicy } from '../src/rl/policy.js';
import { REWARD_TTL_MS } from '../src/rl/repair-policy.js';
import { createRng } from '../src/rl/rng.js';
import { createSqlitePolicyStore } from '../src/rl/store/sqlite-policy-store.js';
import { buildPriorTheta, DEFAULT_CLASS_ARM_TABLE, fixedPolicyArm } from '../src/rl/warm-start.js';
import { buildFailurePool, expectedReward, fixProbability, type SimFailure } from './bandit-sim.js';

const EPISODES = Number(process.argv[2] ?? 5000);
const QUESTIONS = 600;
const SPIDER_DIR = path.resolve(import.meta.dirname, '../../shared/data/spider-train');
const CHECKPOINTS = [500, 1000, 2000, 3000, 4000, 5000].filter((c) => c < EPISODES).concat(EPISODES);

if (!fs.existsSync(path.join(SPIDER_DIR, 'questions.json'))) {
  console.error(`No Spider data at ${SPIDER_DIR}; this bench needs ../shared/data/spider-train.`);
  process.exit(1);
}

const config = loadConfig({ LOG_LEVEL: 'silent', SQL_WORKERS: '2' });
const log = createLogger({ level: 'silent' });
const argmax = (values: number[], mask: readonly boolean[]): number => values.reduce((best, v, i) => (mask[i] === true && (best < 0 || v > (values[best] as number)) ? i : best), -1);
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

// 1. The pool of real failures.
const startedMs = performance.now();
const dataset = await loadSpiderDataset(SPIDER_DIR);
const engine = createSqliteEngine(config.sql, log, dataset.databases);
const rng = createRng(20_250_101);
const questions = shuffle(dataset.task.questions, rng).slice(0, QUESTIONS);
const pool = await buildFailurePool(questions, engine, rng, config.episode.maxAttempts);
// why: the engine's close() awaits the 'exit' of unref'd worker processes; in a bare script nothing else keeps the
// event loop alive until then, and Node would quit with the top-level await unsettled (exit code 13).
const keepAlive = setInterval(() => undefined, 1000);
await engine.close();
clearInterval(keepAlive);
const poolSec = (performance.now() - startedMs) / 1000;

console.log('Simulated repair environment (SIMULATOR: fix probabilities and arm costs are assumptions, bench/bandit-sim.ts)');
console.log(`pool: ${pool.length} real failures from ${questions.length} Spider train questions over ${new Set(questions.map((q) => q.database)).size} databases, executed on SQLite (${poolSec.toFixed(1)} s)\n`);
console.log(`${'fault kind'.padEnd(22)} ${'n'.padStart(4)}  ${'expected class'.padEnd(20)} ${'as expected'.padStart(11)}  other real classes`);
for (const kind of FAULT_KIND_NAMES) {
  const items = pool.filter((f) => f.kind === kind);
  if (items.length === 0) continue;
  const expected = items[0]?.expectedClass as string;
  const others = new Map<string, number>();
  for (const f of items) if (f.errorClass !== expected) others.set(f.errorClass, (others.get(f.errorClass) ?? 0) + 1);
  const otherText = [...others].map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(`${kind.padEnd(22)} ${String(items.length).padStart(4)}  ${expected.padEnd(20)} ${pct(items.filter((f) => f.errorClass === expected).length / items.length).padStart(11)}  ${otherText}`);
}

const short = (arm: string): string => arm.split('_').map((w) => w.slice(0, 4)).join('_').slice(0, 9);
console.log(`\nSimulated P(fix | fault kind, arm)`);
console.log(`${''.padEnd(22)} ${ARM_NAMES.map((a) => short(a).padStart(9)).join(' ')}`);
for (const kind of FAULT_KIND_NAMES) console.log(`${kind.padEnd(22)} ${ARM_NAMES.map((a) => fixProbability(kind, a).toFixed(2).padStart(9)).join(' ')}`);

// 2. The episodes: the same failures and coins for every policy.
const episodes = Array.from({ length: EPISODES }, () => ({ failure: pool[Math.floor(rng.next() * pool.length)] as SimFailure, coin: rng.next() }));
const classMeans = new Map<string, number[]>();
for (const cls of new Set(pool.map((f) => f.errorClass))) {
  const items = pool.filter((f) => f.errorClass === cls);
  classMeans.set(cls, ARM_NAMES.map((_, a) => items.reduce((s, f) => s + expectedReward(f, a), 0) / items.length));
}

type Chooser = (f: SimFailure, t: number) => Promise<number> | number;
interface Run { name: string; realized: number; expected: number; expectedAt: number[]; armMs: number; lastWindow: number }

async function run(name: string, choose: Chooser, learn?: (reward: number) => Promise<void>): Promise<Run> {
  let realized = 0;
  let expected = 0;
  let lastWindow = 0;
  const expectedAt: number[] = [];
  const started = performance.now();
  for (const [t, { failure, coin }] of episodes.entries()) {
    const arm = await choose(failure, t);
    if (failure.mask[arm] !== true) throw new Error(`${name} chose infeasible arm ${ARM_NAMES[arm]}`);
    const isFixed = coin < fixProbability(failure.kind, ARM_NAMES[arm] as ArmName);
    const reward = (isFixed ? failure.rewardIfFixed : failure.rewardIfNot)[arm] as number;
    if (learn !== undefined) await learn(reward);
    realized += reward;
    const e = expectedReward(failure, arm);
    expected += e;
    if (t >= EPISODES - 1000) lastWindow += e;
    if (CHECKPOINTS.includes(t + 1)) expectedAt.push(expected);
  }
  return { name, realized, expected, expectedAt, armMs: (performance.now() - started) / EPISODES, lastWindow };
}

/** A LinUCB policy as the service builds it (createRepairPolicy), on a temp-dir SQLite store. */
async function linUcbRun(name: string, epsilon: number): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-bandit-'));
  const store = createSqlitePolicyStore({ filePath: path.join(dir, 'policy.sqlite'), synchronous: 'NORMAL' });
  const linucb = await createLinUcbPolicy({
    armNames: ARM_NAMES, d: FEATURE_DIM, featureSchemaHash: FEATURE_SCHEMA_HASH,
    alpha: config.policy.alpha, epsilon, seed: config.policy.seed,
    prior: buildPriorTheta({ armNames: ARM_NAMES, d: FEATURE_DIM, classFeatureIndex }),
    rewardTtlMs: REWARD_TTL_MS, store, log,
  });
  let decisionId = '';
  const result = await run(name, async (f, t) => {
    const decision = await linucb.decide({ x: f.x, mask: f.mask, episodeId: `sim-${t}`, meta: { errorClass: f.errorClass } });
    decisionId = decision.decisionId;
    return decision.armIndex;
  }, async (reward) => void (await linucb.reward(decisionId, reward)));
  await linucb.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

const uniformRng = createRng(99);
const runs: Run[] = [];
runs.push(await run('per-fault oracle (bound)', (f) => argmax(ARM_NAMES.map((_, a) => expectedReward(f, a)), f.mask)));
runs.push(await run('per-class oracle', (f) => argmax(classMeans.get(f.errorClass) as number[], f.mask)));
runs.push(await linUcbRun(`LinUCB (α0=${config.policy.alpha}, ε=${config.policy.epsilon})`, config.policy.epsilon));
runs.push(await run('fixed table', (f) => fixedPolicyArm(f.errorClass, ARM_NAMES, f.mask)));
runs.push(await run('uniform', (f) => {
  const feasible = f.mask.flatMap((m, a) => (m ? [a] : []));
  return feasible[Math.floor(uniformRng.next() * feasible.length)] as number;
}));
runs.push(await linUcbRun(`ref.: LinUCB ε=0`, 0));

// 3. The tables.
const oracle = runs[1] as Run;
console.log(`\n${EPISODES} episodes (same failures and coins for every policy)`);
console.log(`${'policy'.padEnd(28)} ${'cum. reward'.padStart(11)} ${'per ep.'.padStart(8)} ${'regret vs class oracle'.padStart(23)} ${'% of class oracle'.padStart(18)} ${'last 1000'.padStart(10)} ${'ms/ep.'.padStart(7)}`);
for (const r of runs) {
  const regret = oracle.expected - r.expected;
  console.log(
    `${r.name.padEnd(28)} ${r.realized.toFixed(1).padStart(11)} ${(r.realized / EPISODES).toFixed(3).padStart(8)} ${regret.toFixed(1).padStart(23)} ${pct(r.realized / oracle.realized).padStart(18)} ${pct(r.lastWindow / oracle.lastWindow).padStart(10)} ${r.armMs.toFixed(2).padStart(7)}`,
  );
}
console.log(`(cum. reward: realized; regret: in expected reward; last 1000: expected reward of the last 1000 episodes / the oracle's;`);
console.log(` ms/ep.: the policy's own time per decide+reward, store included; ε=0 is a reference only: no exploration, no usable propensities)`);
console.log(`\nCumulative regret vs the per-class oracle (expected reward) after t episodes`);
console.log(`${'policy'.padEnd(28)} ${CHECKPOINTS.map((c) => `t=${c}`.padStart(9)).join(' ')}`);
for (const r of runs.slice(2)) console.log(`${r.name.padEnd(28)} ${r.expectedAt.map((e, i) => ((oracle.expectedAt[i] as number) - e).toFixed(1).padStart(9)).join(' ')}`);
const lin = runs[2] as Run;
const fixed = runs[3] as Run;
const differing = [...classMeans].flatMap(([cls, means]) => {
  const best = ARM_NAMES[argmax(means, ARM_NAMES.map(() => true))] as string;
  const table = DEFAULT_CLASS_ARM_TABLE[cls];
  return table === best ? [] : [`${cls} (table ${table}, oracle ${best}, ${pool.filter((f) => f.errorClass === cls).length} failures)`];
});
console.log(`\nclasses where the table's arm is not the class oracle's (unmasked): ${differing.join('; ') || 'none'}`);
console.log(`\nLinUCB: ${pct(lin.realized / oracle.realized)} of the per-class oracle's reward (goal ≥ 95%), ${(lin.realized - fixed.realized).toFixed(1)} ahead of the fixed table (${pct(lin.realized / fixed.realized - 1)})`);

// 4. Decide+update cost, measured by the cost bench in this same run.
console.log('\n--- bench/bandit-cost.bench.ts ---');
const cost = spawnSync(process.execPath, [...process.execArgv, path.join(import.meta.dirname, 'bandit-cost.bench.ts'), '2000'], { stdio: 'inherit' });
process.exitCode = cost.status ?? 1;
