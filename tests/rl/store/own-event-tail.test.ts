import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OwnEventTail, RECENT_DECISIONS_MAX } from '../../../src/rl/store/own-event-tail.js';
import type { NewDecisionEvent, PolicyEvent } from '../../../src/rl/store/policy-store.js';
import { createSqlitePolicyStore } from '../../../src/rl/store/sqlite-policy-store.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const decision = (id: string): NewDecisionEvent => ({ decisionId: id, episodeId: 'e', armIndex: 2, x: [1, 0.5], payload: { n: id }, tsMs: 1 });

describe('OwnEventTail', () => {
  it('serves its own consecutive events from memory after a database read', () => {
    const tail = new OwnEventTail();
    expect(tail.read(0, 10, true)).toBeUndefined();
    tail.afterQuery([], 0, 10);
    tail.recordDecision(1, decision('d1'));
    tail.recordReward(2, { kind: 'reward', decisionId: 'd1', value: 0.5, payload: {}, tsMs: 2 });
    const events = tail.read(0, 10, true);
    expect(events?.map((e) => [e.id, e.kind, e.armIndex, e.x])).toEqual([
      [1, 'decision', 2, [1, 0.5]],
      [2, 'reward', 2, [1, 0.5]],
    ]);
    expect(tail.read(1, 10, true)?.map((e) => e.id)).toEqual([2]);
    expect(tail.read(0, 10, true)).toBeUndefined();
  });

  it('serves a hindsight relabel that follows its decision\'s reward from memory too', () => {
    const tail = new OwnEventTail();
    tail.afterQuery([], 0, 10);
    tail.recordDecision(1, decision('d1'));
    tail.recordReward(2, { kind: 'reward', decisionId: 'd1', value: 0, payload: {}, tsMs: 2 });
    tail.recordReward(3, { kind: 'relabel', decisionId: 'd1', value: 0.25, payload: {}, tsMs: 3 });
    expect(tail.read(0, 10, true)?.map((e) => [e.id, e.kind, e.value, e.x])).toEqual([
      [1, 'decision', null, [1, 0.5]],
      [2, 'reward', 0, [1, 0.5]],
      [3, 'relabel', 0.25, [1, 0.5]],
    ]);
  });

  it('sends the caller to the database when someone else wrote, an id is skipped, a reward is for an unknown decision or a page was full', () => {
    const fresh = () => {
      const t = new OwnEventTail();
      t.afterQuery([], 0, 10);
      return t;
    };
    const changed = fresh();
    changed.recordDecision(1, decision('d1'));
    expect(changed.read(0, 10, false)).toBeUndefined();

    const gap = fresh();
    gap.recordDecision(2, decision('d2'));
    expect(gap.read(0, 10, true)).toBeUndefined();

    const unknown = fresh();
    unknown.recordReward(1, { kind: 'reward', decisionId: 'elsewhere', value: 1, payload: {}, tsMs: 1 });
    expect(unknown.read(0, 10, true)).toBeUndefined();

    const forgotten = new OwnEventTail(2);
    forgotten.afterQuery([], 0, 10);
    ['d1', 'd2', 'd3'].forEach((id, i) => forgotten.recordDecision(i + 1, decision(id)));
    forgotten.recordReward(4, { kind: 'reward', decisionId: 'd3', value: 1, payload: {}, tsMs: 4 });
    expect(forgotten.read(0, 10, true)?.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    forgotten.recordReward(5, { kind: 'reward', decisionId: 'd1', value: 1, payload: {}, tsMs: 5 });
    expect(forgotten.read(4, 10, true)).toBeUndefined();

    const full = new OwnEventTail();
    full.afterQuery([{ id: 1, kind: 'decision', decisionId: 'a', episodeId: 'e', armIndex: 0, value: null, x: [], payload: {}, tsMs: 1 }], 0, 1);
    expect(full.read(1, 1, true)).toBeUndefined();
  });
  const event = (id: number, decisionId = `o${id}`): PolicyEvent => ({ id, kind: 'decision', decisionId, episodeId: 'e', armIndex: 0, value: null, x: [], payload: {}, tsMs: id });

  it('keeps own events committed while a read was in flight, and serves reads again once they follow on from where it ended', () => {
    // The read's snapshot came before the own commit of 3: it returns 2, and 3 follows on.
    const after = new OwnEventTail();
    after.recordDecision(3, decision('d3'));
    after.afterQuery([event(1), event(2)], 0, 10);
    expect(after.read(2, 10, true)?.map((e) => e.id)).toEqual([3]);

    // The snapshot came after it: the read returns 3 itself, and the tail does not serve it twice.
    const before = new OwnEventTail();
    before.recordDecision(3, decision('d3'));
    before.afterQuery([event(2), event(3, 'd3')], 1, 10);
    expect(before.read(3, 10, true)).toEqual([]);
    before.recordDecision(4, decision('d4'));
    expect(before.read(3, 10, true)?.map((e) => e.id)).toEqual([4]);

    // Someone else's 3 committed after the snapshot and before the own 4: the next read must go to the database.
    const between = new OwnEventTail();
    between.recordDecision(4, decision('d4'));
    between.afterQuery([event(2)], 1, 10);
    expect(between.read(2, 10, true)).toBeUndefined();
    between.afterQuery([event(3), event(4, 'd4')], 2, 10);
    expect(between.read(4, 10, true)).toEqual([]);
  });

  it('does not answer for ids past what it knows, nor after a reward it could not keep until a read covers it', () => {
    const tail = new OwnEventTail();
    tail.afterQuery([event(1)], 0, 10);
    expect(tail.read(2, 10, true)).toBeUndefined();
    tail.recordReward(2, { kind: 'reward', decisionId: 'not-remembered', value: 1, payload: {}, tsMs: 2 });
    expect(tail.read(1, 10, true)).toBeUndefined();
    tail.afterQuery([event(2)], 1, 10);
    tail.recordDecision(3, decision('d3'));
    expect(tail.read(2, 10, true)?.map((e) => e.id)).toEqual([3]);
  });
});

describe('SQLite policy store read-back', () => {
  it(`reads a reward for a decision older than the last ${RECENT_DECISIONS_MAX} from the database, with its decision's x`, async () => {
    const store = createSqlitePolicyStore({ filePath: path.join(tmpDir('sre-tail-'), 'policy.sqlite'), synchronous: 'NORMAL' });
    await store.open({ policyKey: 'k', armNames: ['a', 'b', 'c'], d: 2, featureSchemaHash: 'h', config: {} });
    expect(await store.eventsAfter(0, 10)).toEqual([]);
    const oldest = await store.appendDecision({ ...decision('oldest'), x: [0.25, 1] });
    // why in one turn: one commit, so the filler is quick; the tail still records each decision.
    await Promise.all(Array.from({ length: RECENT_DECISIONS_MAX }, (_, i) => store.appendDecision(decision(`filler-${i}`))));
    let lastId = oldest;
    for (;;) {
      const page = await store.eventsAfter(lastId, 1000);
      if (page.length === 0) break;
      lastId = page.at(-1)?.id ?? lastId;
    }
    expect(await store.appendReward({ kind: 'reward', decisionId: 'oldest', value: 0.75, payload: {}, tsMs: 9 })).toBe('inserted');
    expect((await store.eventsAfter(lastId, 10)).map((e) => [e.kind, e.decisionId, e.value, e.armIndex, e.x])).toEqual([['reward', 'oldest', 0.75, 2, [0.25, 1]]]);
    await store.close();
  });

  it('sees events another connection wrote after serving its own from memory', async () => {
    const file = path.join(tmpDir('sre-tail-'), 'policy.sqlite');
    const meta = { policyKey: 'k', armNames: ['a', 'b', 'c'], d: 2, featureSchemaHash: 'h', config: {} };
    const a = createSqlitePolicyStore({ filePath: file, synchronous: 'NORMAL' });
    const b = createSqlitePolicyStore({ filePath: file, synchronous: 'NORMAL' });
    await a.open(meta);
    await b.open(meta);
    expect(await a.eventsAfter(0, 100)).toEqual([]);
    const first = await a.appendDecision(decision('d1'));
    expect((await a.eventsAfter(0, 100)).map((e) => e.id)).toEqual([first]);
    const second = await b.appendDecision(decision('d2'));
    await b.appendReward({ kind: 'reward', decisionId: 'd1', value: 1, payload: {}, tsMs: 3 });
    const seen = await a.eventsAfter(first, 100);
    expect(seen.map((e) => [e.id, e.kind, e.decisionId])).toEqual([
      [second, 'decision', 'd2'],
      [second + 1, 'reward', 'd1'],
    ]);
    expect(seen[1]?.x).toEqual([1, 0.5]);
    await a.close();
    await b.close();
  });
});
