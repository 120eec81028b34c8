import { expect, it } from 'vitest';
import type { SerializedPolicyState } from '../../../src/rl/policy-state.js';
import { SNAPSHOTS_KEPT, type PolicyMeta, type PolicyStore } from '../../../src/rl/store/policy-store.js';

/**
 * One suite run against every PolicyStore adapter (SQLite and PostgreSQL). `makeStore(name)` gives an unopened
 * store; the same name means the same underlying tables. Each test uses its own policy keys. `snapshotsIn(name,
 * policyKey)` reads the lastEventIds of the snapshot rows stored for a policy, straight from the tables.
 */
export function policyStoreContract(makeStore: (name: string) => PolicyStore, snapshotsIn: (name: string, policyKey: string) => Promise<number[]>): void {
  let keyCounter = 0;
  const meta = (): PolicyMeta => ({
    policyKey: `k${process.pid}-${keyCounter++}`,
    armNames: ['A', 'B'],
    d: 3,
    featureSchemaHash: 'h1',
    config: { lambda: 1 },
  });
  const decision = (decisionId: string, episodeId = 'ep', x = [1, 0.1, 1 / 3]) => ({
    decisionId,
    episodeId,
    armIndex: 1,
    x,
    payload: { probabilities: [0.05, 0.95], meta: { errorClass: 'SYNTAX' } },
    tsMs: 1_700_000_000_123,
  });
  const reward = (decisionId: string, value: number, kind: 'reward' | 'relabel' = 'reward') => ({
    kind,
    decisionId,
    value,
    payload: { source: 'observed' },
    tsMs: 1_700_000_000_456,
  });
  const state = (lastEventId: number): SerializedPolicyState => ({
    lastEventId,
    decisions: 1,
    rewards: 1,
    relabels: 0,
    arms: [{ xx: [0.1, 1 / 3, 1 / 3, 0.7], rx: [1e-17, 2], n: 1, rewardSum: 0.1, relabelSum: 0 }],
  });

  it('appends decisions with increasing ids and reads them back exactly, x and payload included', async () => {
    const store = makeStore('ids');
    await store.open(meta());
    const x = [1, 0.1, 1e-300];
    const id1 = await store.appendDecision(decision('d1', 'ep', x));
    const id2 = await store.appendDecision(decision('d2'));
    expect(id2).toBeGreaterThan(id1);
    const events = await store.eventsAfter(0, 10);
    expect(events.map((e) => e.id)).toEqual([id1, id2]);
    expect(events[0]).toEqual({
      id: id1,
      kind: 'decision',
      decisionId: 'd1',
      episodeId: 'ep',
      armIndex: 1,
      value: null,
      x,
      payload: { probabilities: [0.05, 0.95], meta: { errorClass: 'SYNTAX' } },
      tsMs: 1_700_000_000_123,
    });
    expect(await store.eventsAfter(id1, 10)).toHaveLength(1);
    expect(await store.eventsAfter(0, 1)).toHaveLength(1);
    await store.close();
  });

  it('accepts one reward and one relabel per decision and refuses repeats or unknown decisions', async () => {
    const store = makeStore('rewards');
    await store.open(meta());
    await store.appendDecision(decision('d1', 'ep', [1, 0.25, 0.5]));
    expect(await store.appendReward(reward('d1', 0.3))).toBe('inserted');
    expect(await store.appendReward(reward('d1', 0.9))).toBe('duplicate');
    expect(await store.appendReward(reward('d1', 0.2, 'relabel'))).toBe('inserted');
    expect(await store.appendReward(reward('d1', 0.2, 'relabel'))).toBe('duplicate');
    expect(await store.appendReward(reward('nope', 1))).toBe('unknown-decision');
    const [, rewardEvent, relabelEvent] = await store.eventsAfter(0, 10);
    expect(rewardEvent).toMatchObject({ kind: 'reward', decisionId: 'd1', episodeId: 'ep', armIndex: 1, value: 0.3, x: [1, 0.25, 0.5] });
    expect(relabelEvent).toMatchObject({ kind: 'relabel', value: 0.2, x: [1, 0.25, 0.5] });
    await store.close();
  });

  it('lists pending decisions up to an id, and the events of one episode', async () => {
    const store = makeStore('pending');
    await store.open(meta());
    const a = await store.appendDecision(decision('a', 'ep1'));
    await store.appendDecision(decision('b', 'ep2'));
    const c = await store.appendDecision(decision('c', 'ep1'));
    await store.appendReward(reward('b', 1));
    expect((await store.pendingDecisions(c)).map((e) => e.decisionId)).toEqual(['a', 'c']);
    expect((await store.pendingDecisions(a)).map((e) => e.decisionId)).toEqual(['a']);
    await store.appendReward(reward('a', 0));
    await store.appendReward(reward('b', 0.5, 'relabel'));
    await store.appendReward(reward('a', 0.5, 'relabel'));
    expect((await store.episodeEvents('ep1')).map((e) => [e.kind, e.decisionId])).toEqual([
      ['decision', 'a'],
      ['decision', 'c'],
      ['reward', 'a'],
      ['relabel', 'a'],
    ]);
    expect((await store.episodeEvents('ep2')).map((e) => [e.kind, e.decisionId])).toEqual([
      ['decision', 'b'],
      ['reward', 'b'],
      ['relabel', 'b'],
    ]);
    await store.close();
  });

  it('returns the snapshot with the highest lastEventId, and none before the first', async () => {
    const store = makeStore('snapshots');
    await store.open(meta());
    expect(await store.loadLatestSnapshot()).toBeUndefined();
    await store.appendSnapshot({ lastEventId: 9, featureSchemaHash: 'h1', state: state(9), tsMs: 1 });
    await store.appendSnapshot({ lastEventId: 4, featureSchemaHash: 'h1', state: state(4), tsMs: 2 });
    expect(await store.loadLatestSnapshot()).toEqual({ lastEventId: 9, featureSchemaHash: 'h1', state: state(9), tsMs: 1 });
    await store.close();
  });

  it(`keeps only the ${SNAPSHOTS_KEPT} snapshots with the highest lastEventId of a policy, and leaves other policies' alone`, async () => {
    const store = makeStore('snapshot-pruning');
    const other = makeStore('snapshot-pruning');
    const kept = meta();
    const untouched = meta();
    await store.open(kept);
    await other.open(untouched);
    await other.appendSnapshot({ lastEventId: 1, featureSchemaHash: 'h1', state: state(1), tsMs: 1 });
    // why 25 after 30: a process that lags behind another writes an older snapshot later.
    for (const lastEventId of [10, 20, 30, 25, 40]) await store.appendSnapshot({ lastEventId, featureSchemaHash: 'h1', state: state(lastEventId), tsMs: lastEventId });
    await other.appendSnapshot({ lastEventId: 2, featureSchemaHash: 'h1', state: state(2), tsMs: 2 });
    expect((await snapshotsIn('snapshot-pruning', kept.policyKey)).sort((a, b) => b - a)).toEqual([40, 30]);
    expect((await snapshotsIn('snapshot-pruning', untouched.policyKey)).sort((a, b) => b - a)).toEqual([2, 1]);
    expect((await store.loadLatestSnapshot())?.lastEventId).toBe(40);
    await store.close();
    await other.close();
  });

  it('keeps policies apart by key and lists them', async () => {
    const first = makeStore('scope-a');
    const m1 = meta();
    await first.open(m1);
    await first.appendDecision(decision('shared-id'));
    const second = makeStore('scope-a');
    const m2 = { ...meta(), featureSchemaHash: 'h2' };
    await second.open(m2);
    expect(await second.eventsAfter(0, 10)).toEqual([]);
    expect(await second.appendReward(reward('shared-id', 1))).toBe('unknown-decision');
    await second.appendDecision(decision('shared-id'));
    const keys = (await second.listPolicies()).map((p) => p.policyKey);
    expect(keys).toEqual(expect.arrayContaining([m1.policyKey, m2.policyKey]));
    expect((await second.listPolicies()).find((p) => p.policyKey === m2.policyKey)).toEqual(m2);
    await first.close();
    await second.close();
  });

  it('refuses to work before open()', async () => {
    const store = makeStore('unopened');
    await expect(store.eventsAfter(0, 1)).rejects.toThrow(/before open/);
    await store.close();
  });
}
