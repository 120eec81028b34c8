import { afterAll, beforeAll, expect, it } from 'vitest';
import { replayPolicyState, type SerializedPolicyState } from '../../../src/rl/policy-state.js';
import { policyKeyOf, type PolicyStore } from '../../../src/rl/store/policy-store.js';
import { acks, WORKER_ARMS, WORKER_D, WORKER_SCHEMA_HASH, type PolicyWorker } from './fixtures/worker-client.js';

async function stateOf(worker: PolicyWorker): Promise<SerializedPolicyState> {
  await worker.send({ op: 'sync' });
  return (await worker.send({ op: 'state' })).state as SerializedPolicyState;
}

/**
 * Two policy processes on one store (call inside a describe): a decision made by one is rewarded once through the
 * other, and concurrent bursts leave both with the statistics of a replay of the log. `startWorker(seed)` spawns a
 * policy worker on the shared store; `openStore()` opens that store in the test process.
 */
export function sharedByTwoProcesses(startWorker: (seed: number) => PolicyWorker, openStore: () => PolicyStore): void {
  let a: PolicyWorker;
  let b: PolicyWorker;
  beforeAll(async () => {
    a = startWorker(1);
    b = startWorker(2);
    await Promise.all([a.ready, b.ready]);
  });
  afterAll(async () => {
    await Promise.all([a.send({ op: 'exit' }), b.send({ op: 'exit' })]);
  });

  it('lets one process reward a decision made by the other, once, and both see the same statistics', async () => {
    const { decision } = (await a.send({ op: 'decide', episodeId: 'shared', x: [1, 0.5, 0, 0.25, 1] })) as { decision: { decisionId: string; armIndex: number } };
    await b.send({ op: 'sync' });
    expect((await b.send({ op: 'reward', decisionId: decision.decisionId, r: 0.75 })).result).toEqual({ isApplied: true });
    expect((await a.send({ op: 'reward', decisionId: decision.decisionId, r: 0.1 })).result).toEqual({ isApplied: false, reason: 'duplicate' });
    const stateA = await stateOf(a);
    expect(stateA.arms[decision.armIndex]).toMatchObject({ n: 1, rewardSum: 0.75 });
    expect(await stateOf(b)).toEqual(stateA);
  });

  it('converges both processes to identical statistics, equal to a replay of the log, after concurrent bursts', async () => {
    const before = (await stateOf(a)).rewards;
    await Promise.all([a.send({ op: 'burst', count: 25, tag: 'a' }), b.send({ op: 'burst', count: 25, tag: 'b' })]);
    const stateA = await stateOf(a);
    const stateB = await stateOf(b);
    expect(stateB).toEqual(stateA);
    expect(stateA.rewards).toBe(before + 50);

    const store = openStore();
    await store.open({ policyKey: policyKeyOf(WORKER_ARMS, WORKER_D, WORKER_SCHEMA_HASH), armNames: [...WORKER_ARMS], d: WORKER_D, featureSchemaHash: WORKER_SCHEMA_HASH, config: {} });
    const events = await store.eventsAfter(0, 1_000_000);
    expect(replayPolicyState({ armCount: WORKER_ARMS.length, d: WORKER_D }, events).exportState()).toEqual(stateA);
    const rewarded = new Map(events.filter((e) => e.kind === 'reward').map((e) => [e.decisionId, e.value]));
    for (const w of [a, b]) for (const [id, r] of acks(w.lines).rewards) expect(rewarded.get(id)).toBe(r);
    expect((await store.loadLatestSnapshot())?.lastEventId).toBeGreaterThan(0);
    await store.close();
  });
}
