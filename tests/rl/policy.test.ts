import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { epsilonGreedy } from '../../src/rl/exploration.js';
import { createLinUcbPolicy, type LinUcbPolicyOptions } from '../../src/rl/policy.js';
import { replayPolicyState } from '../../src/rl/policy-state.js';
import type { PolicyEvent, PolicyStore } from '../../src/rl/store/policy-store.js';
import { createSqlitePolicyStore } from '../../src/rl/store/sqlite-policy-store.js';
import { buildPriorTheta } from '../../src/rl/warm-start.js';
import { silentLogger } from '../helpers/logs.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const ARMS = ['FIX_IDENTIFIER', 'FIX_SYNTAX_DIALECT', 'RELAX_FILTERS', 'REGENERATE'] as const;
const CLASSES = ['UNKNOWN_COLUMN', 'SYNTAX', 'EMPTY_RESULT'] as const;
const D = 6;
const dir = tmpDir('sre-policy-');
const stores: PolicyStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

let fileCounter = 0;
function freshStore(file = `p${fileCounter++}.sqlite`): PolicyStore {
  const store = createSqlitePolicyStore({ filePath: path.join(dir, file) });
  stores.push(store);
  return store;
}

/** x = [bias, one-hot class (3), two shape features]. */
function contextFor(errorClass: (typeof CLASSES)[number], f1 = 0.5, f2 = 0.25): Float64Array {
  const x = new Float64Array(D);
  x[0] = 1;
  x[1 + CLASSES.indexOf(errorClass)] = 1;
  x[4] = f1;
  x[5] = f2;
  return x;
}

function options(store: PolicyStore, overrides: Partial<LinUcbPolicyOptions> = {}): LinUcbPolicyOptions {
  return {
    armNames: ARMS,
    d: D,
    featureSchemaHash: 'schema-v1',
    alpha: 1,
    epsilon: 0.1,
    seed: 42,
    rewardTtlMs: 60_000,
    store,
    log: silentLogger(),
    ...overrides,
  };
}

async function allEvents(store: PolicyStore): Promise<PolicyEvent[]> {
  return store.eventsAfter(0, 1_000_000);
}

describe('LinUCB policy', () => {
  it('returns per-arm scores, a probability vector in closed form that sums to 1, and the chosen arm', async () => {
    const policy = await createLinUcbPolicy(options(freshStore()));
    const mask = [true, true, false, true];
    const d = await policy.decide({ x: contextFor('SYNTAX'), mask, episodeId: 'e1', meta: { errorClass: 'SYNTAX' } });
    expect(d.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.perArm.map((a) => a.arm)).toEqual([...ARMS]);
    expect(d.perArm.map((a) => a.isFeasible)).toEqual(mask);
    expect(d.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 15);
    expect(d.probabilities).toEqual(epsilonGreedy(d.perArm.map((a) => a.score), mask, 0.1).probabilities);
    expect(d.probabilities[2]).toBe(0);
    expect(d.probability).toBe(d.probabilities[d.armIndex]);
    expect(d.armName).toBe(ARMS[d.armIndex]);
    d.perArm.forEach((a) => expect(a.score).toBeCloseTo(a.mean + a.width, 15));
  });

  it('never chooses a masked arm', async () => {
    const policy = await createLinUcbPolicy(options(freshStore(), { epsilon: 1 }));
    const chosen = new Set<number>();
    for (let i = 0; i < 40; i++) {
      chosen.add((await policy.decide({ x: contextFor('SYNTAX'), mask: [true, false, true, false], episodeId: `m${i}` })).armIndex);
    }
    expect([...chosen].sort()).toEqual([0, 2]);
  });

  it('breaks ties by arm order: with equal scores and ε = 0 the first feasible arm is chosen', async () => {
    const policy = await createLinUcbPolicy(options(freshStore(), { epsilon: 0 }));
    const d = await policy.decide({ x: contextFor('EMPTY_RESULT'), mask: [false, true, true, true], episodeId: 't' });
    expect(new Set(d.perArm.map((a) => a.score)).size).toBe(1);
    expect(d.armIndex).toBe(1);
    expect(d.isExplored).toBe(false);
  });

  it('makes the same choices for the same seed and the same feedback', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const policy = await createLinUcbPolicy(options(freshStore(), { seed, epsilon: 0.5 }));
      const arms: number[] = [];
      for (let i = 0; i < 30; i++) {
        const d = await policy.decide({ x: contextFor(CLASSES[i % 3]!, (i % 5) / 5), episodeId: `s${i}` });
        arms.push(d.armIndex);
        await policy.reward(d.decisionId, d.armIndex === i % 4 ? 1 : 0);
      }
      return arms;
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });

  it('applies a reward once: a second reward for the same decision is refused and changes nothing', async () => {
    const policy = await createLinUcbPolicy(options(freshStore()));
    const d = await policy.decide({ x: contextFor('UNKNOWN_COLUMN'), episodeId: 'r' });
    expect(await policy.reward(d.decisionId, 0.7)).toEqual({ isApplied: true });
    const after = policy.exportState();
    expect(await policy.reward(d.decisionId, 0.1)).toEqual({ isApplied: false, reason: 'duplicate' });
    expect(await policy.reward('no-such-decision', 1)).toEqual({ isApplied: false, reason: 'unknown-decision' });
    expect(policy.exportState()).toEqual(after);
    const arm = policy.stats().perArm[d.armIndex]!;
    expect(arm).toMatchObject({ n: 1, rewardSum: 0.7 });
    await expect(policy.reward(d.decisionId, 1.5)).rejects.toThrow(RangeError);
  });

  it('gives reward 0 to a decision still unrewarded after the TTL, and refuses its late reward', async () => {
    let clock = 1_000;
    const policy = await createLinUcbPolicy(options(freshStore(), { rewardTtlMs: 500, now: () => clock }));
    const stale = await policy.decide({ x: contextFor('SYNTAX'), episodeId: 'ttl' });
    clock = 1_300;
    const fresh = await policy.decide({ x: contextFor('SYNTAX'), episodeId: 'ttl' });
    expect(await policy.expireStale(1_499)).toBe(0);
    expect(await policy.expireStale(1_500)).toBe(1);
    expect(policy.stats()).toMatchObject({ rewards: 1, pending: 1 });
    expect(policy.stats().perArm[stale.armIndex]).toMatchObject({ n: 1, rewardSum: 0 });
    expect(await policy.reward(stale.decisionId, 1)).toEqual({ isApplied: false, reason: 'duplicate' });
    expect(await policy.reward(fresh.decisionId, 1)).toEqual({ isApplied: true });
  });

  it('expires stale decisions on its own when the next decision is made', async () => {
    let clock = 0;
    const policy = await createLinUcbPolicy(options(freshStore(), { rewardTtlMs: 100, now: () => clock }));
    const old = await policy.decide({ x: contextFor('SYNTAX'), episodeId: 'auto' });
    clock = 100;
    await policy.decide({ x: contextFor('SYNTAX'), episodeId: 'auto' });
    expect(policy.stats()).toMatchObject({ rewards: 1, pending: 1 });
    expect(await policy.reward(old.decisionId, 1)).toEqual({ isApplied: false, reason: 'duplicate' });
  });

  it('refuses a context of the wrong size, a non-finite context, a mask of the wrong size and an empty mask', async () => {
    const policy = await createLinUcbPolicy(options(freshStore()));
    await expect(policy.decide({ x: new Float64Array(D - 1), episodeId: 'v' })).rejects.toThrow(/length 5, expected 6/);
    await expect(policy.decide({ x: contextFor('SYNTAX').fill(NaN, 4), episodeId: 'v' })).rejects.toThrow(/non-finite/);
    await expect(policy.decide({ x: contextFor('SYNTAX'), mask: [true], episodeId: 'v' })).rejects.toThrow(/mask has 1 entries/);
    await expect(policy.decide({ x: contextFor('SYNTAX'), mask: [false, false, false, false], episodeId: 'v' })).rejects.toThrow(/no feasible arm/);
    expect(policy.stats().decisions).toBe(0);
  });

  it('chooses the warm-start table arm before any data, and data overrides it', async () => {
    const prior = buildPriorTheta({
      armNames: ARMS,
      d: D,
      classFeatureIndex: (c) => { const i = CLASSES.indexOf(c as (typeof CLASSES)[number]); return i < 0 ? undefined : 1 + i; },
      table: { UNKNOWN_COLUMN: 'FIX_IDENTIFIER', SYNTAX: 'FIX_SYNTAX_DIALECT', EMPTY_RESULT: 'RELAX_FILTERS' },
    });
    const policy = await createLinUcbPolicy(options(freshStore(), { epsilon: 0, prior }));
    const x = contextFor('EMPTY_RESULT');
    const first = await policy.decide({ x, episodeId: 'w0' });
    expect(first.armName).toBe('RELAX_FILTERS');
    expect(first.perArm[2]!.mean).toBeGreaterThan(first.perArm[3]!.mean);
    expect((await policy.decide({ x: contextFor('SYNTAX'), episodeId: 'w1' })).armName).toBe('FIX_SYNTAX_DIALECT');
    await policy.reward(first.decisionId, 0);
    for (let i = 0; i < 6; i++) {
      const forcedTable = await policy.decide({ x, mask: [false, false, true, false], episodeId: `w${i}` });
      await policy.reward(forcedTable.decisionId, 0);
      const forcedOther = await policy.decide({ x, mask: [false, false, false, true], episodeId: `w${i}` });
      await policy.reward(forcedOther.decisionId, 1);
    }
    const after = await policy.decide({ x, mask: [false, false, true, true], episodeId: 'w-after' });
    expect(after.armName).toBe('REGENERATE');
    expect(after.perArm[3]!.mean).toBeGreaterThan(after.perArm[2]!.mean);
  });

  it('relabels earlier decisions of a successful episode with γ^k once, and none of a failed one', async () => {
    const store = freshStore();
    const policy = await createLinUcbPolicy(options(store, { hindsightGamma: 0.5 }));
    const x = contextFor('UNKNOWN_COLUMN');
    const ids: string[] = [];
    for (const r of [0, 0.2, 1]) {
      const d = await policy.decide({ x, episodeId: 'win' });
      await policy.reward(d.decisionId, r);
      ids.push(d.decisionId);
    }
    const lost = await policy.decide({ x, episodeId: 'loss' });
    await policy.reward(lost.decisionId, 0);
    expect(await policy.endEpisode('loss', { isSuccess: false })).toEqual([]);
    const relabelled = await policy.endEpisode('win', { isSuccess: true });
    expect(relabelled.map((s) => [s.decisionId, s.stepsBeforeLast, s.target])).toEqual([
      [ids[0], 2, 0.25],
      [ids[1], 1, 0.5],
    ]);
    expect(relabelled[1]!.delta).toBeCloseTo(0.3, 15);
    const state = policy.exportState();
    expect(await policy.endEpisode('win', { isSuccess: true })).toEqual([]);
    expect(policy.exportState()).toEqual(state);
    const events = await allEvents(store);
    expect(events.filter((e) => e.kind === 'relabel').map((e) => e.decisionId)).toEqual(ids.slice(0, 2));
    expect(policy.stats()).toMatchObject({ rewards: 4, relabels: 2 });
  });

  it('logs each decision with mask, probabilities, per-arm scores, seed, schema hash and caller meta', async () => {
    const store = freshStore();
    const policy = await createLinUcbPolicy(options(store));
    const d = await policy.decide({ x: contextFor('SYNTAX'), mask: [true, true, true, false], episodeId: 'log', meta: { errorClass: 'SYNTAX', dbId: 'pets_1', attempt: 2 } });
    const [row] = await allEvents(store);
    expect(row).toMatchObject({ kind: 'decision', decisionId: d.decisionId, episodeId: 'log', armIndex: d.armIndex, x: Array.from(contextFor('SYNTAX')) });
    expect(row!.payload).toMatchObject({
      mask: [true, true, true, false],
      probabilities: d.probabilities,
      isExplored: d.isExplored,
      seed: 42,
      draw: d.draw,
      featureSchemaHash: 'schema-v1',
      policyVersion: d.policyVersion,
      meta: { errorClass: 'SYNTAX', dbId: 'pets_1', attempt: 2 },
    });
    // The per-arm estimates are logged to 6 decimals; the decision itself keeps them in full.
    const logged = row!.payload as Record<'mean' | 'width' | 'score', number[]>;
    for (const key of ['mean', 'width', 'score'] as const) {
      const exact = d.perArm.map((a) => a[key]);
      expect(logged[key]).toHaveLength(exact.length);
      logged[key].forEach((value, i) => {
        expect(Math.abs(value - (exact[i] ?? NaN))).toBeLessThanOrEqual(5e-7);
        expect(Number(value.toFixed(6))).toBe(value);
      });
    }
    expect(logged.width.some((value, i) => value !== d.perArm[i]?.width)).toBe(true);
  });

  it('credits only the decisions of the episode that succeeded when its id was used before, here or before a restart', async () => {
    const store = freshStore('relabel-reuse.sqlite');
    const first = await createLinUcbPolicy(options(store, { hindsightGamma: 0.5 }));
    const x = contextFor('SYNTAX');
    const earlier = await first.decide({ x, episodeId: 'reused' });
    await first.reward(earlier.decisionId, 0);
    await first.close();
    const second = await createLinUcbPolicy(options(store, { hindsightGamma: 0.5 }));
    const ids: string[] = [];
    for (const r of [0, 1]) {
      const d = await second.decide({ x, episodeId: 'reused' });
      await second.reward(d.decisionId, r);
      ids.push(d.decisionId);
    }
    expect((await second.endEpisode('reused', { isSuccess: true })).map((s) => [s.decisionId, s.stepsBeforeLast])).toEqual([[ids[0], 1]]);
  });

  it('plans from the stored log an episode whose in-memory log was dropped past maxEpisodeLogs', async () => {
    const store = freshStore();
    const policy = await createLinUcbPolicy(options(store, { hindsightGamma: 0.5, maxEpisodeLogs: 1 }));
    const x = contextFor('UNKNOWN_COLUMN');
    const first = await policy.decide({ x, episodeId: 'dropped' });
    await policy.reward(first.decisionId, 0);
    const other = await policy.decide({ x, episodeId: 'newer' });
    await policy.reward(other.decisionId, 0);
    const last = await policy.decide({ x, episodeId: 'dropped' });
    await policy.reward(last.decisionId, 1);
    expect((await policy.endEpisode('dropped', { isSuccess: true })).map((s) => [s.decisionId, s.stepsBeforeLast])).toEqual([[first.decisionId, 1]]);
  });

  it('reloads after a restart with statistics equal to a replay of the whole log, pending decisions included', async () => {
    const store = freshStore('restart.sqlite');
    let clock = 0;
    const first = await createLinUcbPolicy(options(store, { snapshotEvery: 3, now: () => clock }));
    for (let i = 0; i < 10; i++) {
      const d = await first.decide({ x: contextFor(CLASSES[i % 3]!, i / 10), episodeId: `r${i}` });
      await first.reward(d.decisionId, (i % 4) / 4);
    }
    const unrewarded = await first.decide({ x: contextFor('SYNTAX'), episodeId: 'pending' });
    await first.close();
    await store.close();
    const reopened = freshStore('restart.sqlite');
    const second = await createLinUcbPolicy(options(reopened, { snapshotEvery: 3, rewardTtlMs: 10, now: () => clock }));
    expect(second.exportState()).toEqual(first.exportState());
    const replay = replayPolicyState({ armCount: ARMS.length, d: D }, await allEvents(reopened));
    expect(second.exportState()).toEqual(replay.exportState());
    expect(second.stats().pending).toBe(1);
    clock = 100;
    expect(await second.expireStale()).toBe(1);
    expect(await second.reward(unrewarded.decisionId, 1)).toEqual({ isApplied: false, reason: 'duplicate' });
  });

  it('ignores the log of another feature schema sharing the same store', async () => {
    const store = freshStore();
    const v1 = await createLinUcbPolicy(options(store));
    const d = await v1.decide({ x: contextFor('SYNTAX'), episodeId: 'v1' });
    await v1.reward(d.decisionId, 1);
    const v2 = await createLinUcbPolicy(options(store, { featureSchemaHash: 'schema-v2' }));
    expect(v2.policyKey).not.toBe(v1.policyKey);
    expect(v2.stats()).toMatchObject({ decisions: 0, rewards: 0, lastEventId: 0 });
  });

  it('shrinks α as rewards accumulate', async () => {
    const policy = await createLinUcbPolicy(options(freshStore(), { alpha: { alpha0: 2, alphaMin: 0.5, tau: 2 } }));
    expect(policy.stats().alpha).toBe(2);
    for (let i = 0; i < 6; i++) {
      const d = await policy.decide({ x: contextFor('SYNTAX'), episodeId: 'a' });
      expect(d.alpha).toBeCloseTo(2 / Math.sqrt(1 + i / 2), 12);
      await policy.reward(d.decisionId, 0.5);
    }
    expect(policy.stats().alpha).toBeCloseTo(1, 12);
  });
});
