/**
 * Cost of one LinUCB decide+update at K = 10 arms, d = 24 (repair-policy.md §1.3): our model (cached Cholesky per
 * arm, refactored after its update, variance as ‖L⁻¹x‖²) against, in the same run, (a) the textbook Algorithm 1 that
 * inverts every arm's A with ml-matrix at each decision, and (b) a Sherman–Morrison inverse kept on Float64Arrays.
 * All three see the same contexts and rewards; the bench checks they choose the same arms.
 * Then the whole policy (ε-greedy, event log, SQLite store) per decide+reward, FULL and NORMAL synchronous.
 * Run: npm run bench:bandit-cost [-- <calls per measurement, default 3000>]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inverse, Matrix } from 'ml-matrix';
import { createLogger } from '../src/logger.js';
import { greedyArm } from '../src/rl/exploration.js';
import { createLinUcbModel } from '../src/rl/linucb.js';
import { createLinUcbPolicy } from '../src/rl/policy.js';
import { createRng } from '../src/rl/rng.js';
import { createSqlitePolicyStore } from '../src/rl/store/sqlite-policy-store.js';

const K = 10;
const D = 24;
const ALPHA = 1;
const CALLS = Number(process.argv[2] ?? 3000);
const MASK = Array.from({ length: K }, () => true);

interface Bandit {
  choose(x: Float64Array): number;
  update(arm: number, x: Float64Array, r: number): void;
}

function ours(): Bandit {
  const model = createLinUcbModel({ armCount: K, d: D });
  return {
    choose: (x) => greedyArm(Array.from({ length: K }, (_, a) => model.estimate(a, x, ALPHA).score), MASK),
    update: (a, x, r) => model.update(a, x, r),
  };
}

function naiveInverse(): Bandit {
  const A = Array.from({ length: K }, () => Matrix.eye(D, D));
  const b = Array.from({ length: K }, () => Matrix.zeros(D, 1));
  return {
    choose(x) {
      const xv = Matrix.columnVector(Array.from(x));
      const scores = A.map((Aa, a) => {
        const inv = inverse(Aa);
        const theta = inv.mmul(b[a]!);
        const mean = theta.transpose().mmul(xv).get(0, 0);
        const variance = xv.transpose().mmul(inv).mmul(xv).get(0, 0);
        return mean + ALPHA * Math.sqrt(Math.max(0, variance));
      });
      return greedyArm(scores, MASK);
    },
    update(a, x, r) {
      const xv = Matrix.columnVector(Array.from(x));
      A[a]!.add(xv.mmul(xv.transpose()));
      b[a]!.add(xv.mul(r));
    },
  };
}

function shermanMorrison(): Bandit {
  const inv = Array.from({ length: K }, () => Float64Array.from({ length: D * D }, (_, i) => (i % (D + 1) === 0 ? 1 : 0)));
  const b = Array.from({ length: K }, () => new Float64Array(D));
  const mulVec = (m: Float64Array, x: Float64Array): Float64Array => {
    const out = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += m[i * D + j]! * x[j]!;
      out[i] = s;
    }
    return out;
  };
  const dot = (u: Float64Array, v: Float64Array): number => u.reduce((s, ui, i) => s + ui * v[i]!, 0);
  return {
    choose(x) {
      const scores = inv.map((m, a) => {
        const ax = mulVec(m, x);
        return dot(mulVec(m, b[a]!), x) + ALPHA * Math.sqrt(Math.max(0, dot(ax, x)));
      });
      return greedyArm(scores, MASK);
    },
    update(a, x, r) {
      const m = inv[a]!;
      const ax = mulVec(m, x);
      const denom = 1 + dot(ax, x);
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) m[i * D + j]! -= (ax[i]! * ax[j]!) / denom;
      for (let i = 0; i < D; i++) b[a]![i]! += r * x[i]!;
    },
  };
}

function workload(n: number): { xs: Float64Array[]; rewards: number[][] } {
  const rng = createRng(2024);
  const xs: Float64Array[] = [];
  const rewards: number[][] = [];
  for (let t = 0; t < n; t++) {
    const x = Float64Array.from({ length: D }, () => (rng.next() < 0.3 ? rng.next() : 0));
    x[0] = 1;
    xs.push(x);
    rewards.push(Array.from({ length: K }, () => rng.next()));
  }
  return { xs, rewards };
}

function measure(make: () => Bandit, n: number): { usPerCall: number; arms: number[] } {
  const { xs, rewards } = workload(n);
  const bandit = make();
  const arms: number[] = [];
  const started = performance.now();
  xs.forEach((x, t) => {
    const arm = bandit.choose(x);
    bandit.update(arm, x, rewards[t]![arm]!);
    arms.push(arm);
  });
  return { usPerCall: ((performance.now() - started) * 1000) / n, arms };
}

async function measurePolicy(synchronous: 'FULL' | 'NORMAL', n: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-bandit-bench-'));
  const store = createSqlitePolicyStore({ filePath: path.join(dir, 'policy.sqlite'), synchronous });
  const policy = await createLinUcbPolicy({
    armNames: Array.from({ length: K }, (_, a) => `ARM_${a}`), d: D, featureSchemaHash: 'bench', alpha: ALPHA, epsilon: 0.05,
    seed: 1, rewardTtlMs: 3_600_000, store, log: createLogger({ level: 'silent' }),
  });
  const { xs, rewards } = workload(n);
  const started = performance.now();
  for (const [t, x] of xs.entries()) {
    const d = await policy.decide({ x, episodeId: `e${t}` });
    await policy.reward(d.decisionId, rewards[t]![d.armIndex]!);
  }
  const usPerCall = ((performance.now() - started) * 1000) / n;
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return usPerCall;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

measure(ours, 200);
measure(naiveInverse, 50);
const repeats = 3;
const results = { ours: [] as number[], naive: [] as number[], sm: [] as number[] };
let isSameChoices = true;
for (let r = 0; r < repeats; r++) {
  const o = measure(ours, CALLS);
  const nv = measure(naiveInverse, Math.min(CALLS, 600));
  const sm = measure(shermanMorrison, CALLS);
  results.ours.push(o.usPerCall);
  results.naive.push(nv.usPerCall);
  results.sm.push(sm.usPerCall);
  isSameChoices &&= nv.arms.every((a, t) => a === o.arms[t]) && sm.arms.slice(0, 600).every((a, t) => a === o.arms[t]);
}
const oursUs = median(results.ours);
const rows: [string, number, string][] = [
  ['ours: cached Cholesky, refactor on update', oursUs, '1.00'],
  ['baseline: full ml-matrix inverse per arm per decision', median(results.naive), (median(results.naive) / oursUs).toFixed(2)],
  ['reference: Sherman–Morrison inverse (drifts, no refactor)', median(results.sm), (median(results.sm) / oursUs).toFixed(2)],
];
console.log(`LinUCB decide+update, K=${K}, d=${D}, median of ${repeats} runs (${CALLS} calls; naive ${Math.min(CALLS, 600)})`);
console.log(`${'implementation'.padEnd(58)} ${'µs/call'.padStart(9)}  ×ours`);
for (const [name, us, ratio] of rows) console.log(`${name.padEnd(58)} ${us.toFixed(1).padStart(9)}  ${ratio}`);
console.log(`same arm choices in all three: ${isSameChoices ? 'yes' : 'NO'}`);
console.log(`naive / ours speed-up: ${(median(results.naive) / oursUs).toFixed(1)}×`);
const policyN = Math.min(CALLS, 500);
console.log(`\nWhole policy decide+reward with the SQLite store (WAL), ${policyN} calls`);
for (const sync of ['FULL', 'NORMAL'] as const) console.log(`synchronous=${sync.padEnd(6)} ${(await measurePolicy(sync, policyN)).toFixed(1).padStart(9)} µs/call`);
