import pg from 'pg';
import { afterAll, expect, it, vi } from 'vitest';
import { policyChannel } from '../../../src/rl/store/pg-commit-signal.js';
import { createPgPolicyStore } from '../../../src/rl/store/pg-policy-store.js';
import type { PolicyEvent, PolicyStore } from '../../../src/rl/store/policy-store.js';
import { describePg, PG_TEST_URL, uniqueSchema } from '../../helpers/pg.js';
import { spawnPolicyWorker, type PolicyWorker } from './fixtures/worker-client.js';
import { policyStoreContract } from './policy-store.contract.js';
import { sharedByTwoProcesses } from './shared-by-two-processes.js';

const contractSchema = uniqueSchema('policy_contract');
const sharedSchema = uniqueSchema('policy_shared');
const batchSchema = uniqueSchema('policy_batch');
const readBackSchema = uniqueSchema('policy_readback');
const workers: PolicyWorker[] = [];

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect().catch(() => undefined);
  await client.query(`DROP SCHEMA IF EXISTS "${contractSchema}" CASCADE`).catch(() => undefined);
  await client.query(`DROP SCHEMA IF EXISTS "${sharedSchema}" CASCADE`).catch(() => undefined);
  await client.query(`DROP SCHEMA IF EXISTS "${batchSchema}" CASCADE`).catch(() => undefined);
  await client.query(`DROP SCHEMA IF EXISTS "${readBackSchema}" CASCADE`).catch(() => undefined);
  await client.end().catch(() => undefined);
});

describePg('PostgreSQL policy store', () => {
  policyStoreContract(
    (): PolicyStore => createPgPolicyStore({ connectionString: PG_TEST_URL, schema: contractSchema }),
    async (_name, policyKey) => {
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      const { rows } = await client.query<{ last_event_id: string }>(`SELECT last_event_id FROM "${contractSchema}".policy_snapshot WHERE policy_key = $1`, [policyKey]);
      await client.end();
      return rows.map((r) => Number(r.last_event_id));
    },
  );
});

describePg('PostgreSQL policy shared by two processes', () => {
  sharedByTwoProcesses(
    (seed) => {
      const worker = spawnPolicyWorker({ store: 'pg', connectionString: PG_TEST_URL, schema: sharedSchema, seed, snapshotEvery: 10 });
      workers.push(worker);
      return worker;
    },
    () => createPgPolicyStore({ connectionString: PG_TEST_URL, schema: sharedSchema }),
  );
});

describePg('PostgreSQL policy store under concurrent appends', () => {
  let keys = 0;
  async function openStore(onCommit?: (seconds: number) => void): Promise<{ store: PolicyStore; policyKey: string }> {
    const store = createPgPolicyStore({ connectionString: PG_TEST_URL, schema: batchSchema, onCommit });
    const policyKey = `batch-${process.pid}-${keys++}`;
    await store.open({ policyKey, armNames: ['A', 'B'], d: 2, featureSchemaHash: 'h', config: {} });
    return { store, policyKey };
  }
  const decision = (decisionId: string) => ({ decisionId, episodeId: 'ep', armIndex: 0, x: [1, 0.5], payload: { p: 0.5 }, tsMs: 1 });
  const reward = (decisionId: string, kind: 'reward' | 'relabel' = 'reward') => ({ kind, decisionId, value: 0.25, payload: {}, tsMs: 2 });
  /** How many transactions wrote this policy's rows (rows written by one transaction share its xmin). */
  async function transactionsOf(policyKey: string): Promise<number> {
    const client = new pg.Client({ connectionString: PG_TEST_URL });
    await client.connect();
    const { rows } = await client.query<{ n: string }>(`SELECT count(DISTINCT xmin::text) AS n FROM "${batchSchema}".policy_event WHERE policy_key = $1`, [policyKey]);
    await client.end();
    return Number(rows[0]?.n);
  }

  it('commits appends made together in a few shared transactions, ids increasing in the order they were made', async () => {
    const { store, policyKey } = await openStore();
    const ids = await Promise.all(Array.from({ length: 120 }, (_, i) => store.appendDecision(decision(`d${i}`))));
    expect(new Set(ids).size).toBe(120);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect((await store.eventsAfter(0, 1000)).map((e) => e.decisionId)).toEqual(ids.map((_, i) => `d${i}`));
    expect(await transactionsOf(policyKey)).toBeLessThanOrEqual(3);
    const results = await Promise.all(ids.map((_, i) => store.appendReward(reward(`d${i}`))));
    expect(results.every((r) => r === 'inserted')).toBe(true);
    expect(await transactionsOf(policyKey)).toBeLessThanOrEqual(6);
    await store.close();
  });

  it("tells onCommit the seconds of each batch's transaction, once per transaction", async () => {
    const commits: number[] = [];
    const { store, policyKey } = await openStore((seconds) => commits.push(seconds));
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.appendDecision(decision(`t${i}`))));
    expect(commits.length).toBeGreaterThan(0);
    expect(commits).toHaveLength(await transactionsOf(policyKey));
    for (const seconds of commits) expect(seconds).toBeGreaterThan(0);
    for (const seconds of commits) expect(seconds).toBeLessThan(5);
    await store.close();
  });

  it('answers rewards made together as if made one by one: repeats are duplicates, unknown decisions unknown', async () => {
    const { store } = await openStore();
    await store.appendDecision(decision('d1'));
    const results = await Promise.all([reward('d1'), reward('d1'), reward('d1', 'relabel'), reward('nope'), reward('d1', 'relabel')].map((r) => store.appendReward(r)));
    expect(results).toEqual(['inserted', 'duplicate', 'inserted', 'unknown-decision', 'duplicate']);
    const events = await store.eventsAfter(0, 10);
    expect(events.map((e) => [e.kind, e.decisionId, e.x])).toEqual([
      ['decision', 'd1', [1, 0.5]],
      ['reward', 'd1', [1, 0.5]],
      ['relabel', 'd1', [1, 0.5]],
    ]);
    await store.close();
  });

  it('stores hostile text and exact numbers as written, a reward finding the decision of its own batch', async () => {
    const { store } = await openStore();
    const text = `O'Brien \\ "q" '; DROP TABLE policy_event; -- é…😀 \\'`;
    const decisionId = `id'${text}`;
    const x = [0.1 + 0.2, 1e-7, 0.47712125471966244, -2.5e-8];
    const [id, result] = await Promise.all([
      store.appendDecision({ decisionId, episodeId: text, armIndex: 1, x, payload: { token: text, nested: [text, 1.5e300] }, tsMs: 1_700_000_000_123 }),
      store.appendReward({ kind: 'reward', decisionId, value: 0.1 + 0.7, payload: { note: text }, tsMs: 2 }),
    ]);
    expect(result).toBe('inserted');
    const events = await store.eventsAfter(id - 1, 10);
    expect(events.map((e) => [e.kind, e.decisionId, e.episodeId, e.armIndex, e.value, e.x, e.payload, e.tsMs])).toEqual([
      ['decision', decisionId, text, 1, null, x, { token: text, nested: [text, 1.5e300] }, 1_700_000_000_123],
      ['reward', decisionId, text, 1, 0.1 + 0.7, x, { note: text }, 2],
    ]);
    await store.close();
  });

  it('fails only the append at fault when one of a batch fails', async () => {
    const { store } = await openStore();
    const settled = await Promise.allSettled([decision('a'), decision('twice'), decision('twice'), decision('b')].map((d) => store.appendDecision(d)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((await store.eventsAfter(0, 10)).map((e) => e.decisionId)).toEqual(['a', 'twice', 'b']);
    await store.close();
  });
});

describePg('PostgreSQL policy store read-back', () => {
  const meta = { policyKey: 'readback', armNames: ['A', 'B'], d: 2, featureSchemaHash: 'h', config: {} };
  const decision = (decisionId: string) => ({ decisionId, episodeId: 'ep', armIndex: 1, x: [1, 0.5], payload: { p: 0.5 }, tsMs: 1 });

  /** Counts the queries other than appends (append_events) that reach PostgreSQL. */
  function countPoolQueries(): { count: () => number; restore: () => void } {
    const spy = vi.spyOn(pg.Pool.prototype, 'query');
    return { count: () => spy.mock.calls.filter(([sql]) => !String(sql).includes('append_events')).length, restore: () => spy.mockRestore() };
  }

  it('reads back its own appends from memory and another process\'s commits from the database, missing none', async () => {
    const a = createPgPolicyStore({ connectionString: PG_TEST_URL, schema: readBackSchema });
    const b = createPgPolicyStore({ connectionString: PG_TEST_URL, schema: readBackSchema });
    await a.open(meta);
    await b.open(meta);
    const queries = countPoolQueries();
    try {
      expect(await a.eventsAfter(0, 100)).toEqual([]);
      const first = await a.appendDecision(decision('a1'));
      const before = queries.count();
      expect((await a.eventsAfter(0, 100)).map((e) => e.id)).toEqual([first]);
      expect(await a.appendReward({ kind: 'reward', decisionId: 'a1', value: 0.5, payload: {}, tsMs: 2 })).toBe('inserted');
      expect((await a.eventsAfter(first, 100)).map((e) => [e.id, e.kind])).toEqual([[first + 1, 'reward']]);
      expect(queries.count()).toBe(before);

      const second = await b.appendDecision(decision('b1'));
      await b.appendReward({ kind: 'relabel', decisionId: 'a1', value: 0.25, payload: {}, tsMs: 3 });
      // why waitFor: b's commits reach a by notification, a moment after they are made.
      let seen: PolicyEvent[] = [];
      await vi.waitFor(
        async () => {
          seen = [...seen, ...(await a.eventsAfter(seen.at(-1)?.id ?? first + 1, 100))];
          expect(seen.length).toBeGreaterThanOrEqual(2);
        },
        { timeout: 5000, interval: 5 },
      );
      expect(seen.map((e) => [e.id, e.kind, e.decisionId, e.x])).toEqual([
        [second, 'decision', 'b1', [1, 0.5]],
        [second + 1, 'relabel', 'a1', [1, 0.5]],
      ]);
      expect(queries.count()).toBeGreaterThan(before);

      // Its own append after b's, with no one in between, is served from memory again.
      const third = await a.appendDecision(decision('a2'));
      const afterB = queries.count();
      expect((await a.eventsAfter(second + 1, 100)).map((e) => e.id)).toEqual([third]);
      expect(queries.count()).toBe(afterB);

      // b reads a's events from the database, in order, none skipped.
      expect((await b.eventsAfter(0, 100)).map((e) => e.decisionId)).toEqual(['a1', 'a1', 'b1', 'a1', 'a2']);
    } finally {
      queries.restore();
      await a.close();
      await b.close();
    }
  });

  it('reads only the policy it has open after open() switches to another one', async () => {
    const store = createPgPolicyStore({ connectionString: PG_TEST_URL, schema: readBackSchema });
    await store.open({ ...meta, policyKey: 'readback-first' });
    expect(await store.eventsAfter(0, 100)).toEqual([]);
    const first = await store.appendDecision(decision('first-1'));
    expect((await store.eventsAfter(0, 100)).map((e) => e.id)).toEqual([first]);
    await store.open({ ...meta, policyKey: 'readback-second' });
    expect(await store.eventsAfter(0, 100)).toEqual([]);
    const second = await store.appendDecision(decision('second-1'));
    expect((await store.eventsAfter(0, 100)).map((e) => [e.id, e.decisionId])).toEqual([[second, 'second-1']]);
    await store.close();
  });

  it('reads from the database while its notification connection is down, and from memory again once it is back', async () => {
    const lostMeta = { ...meta, policyKey: 'readback-lost' };
    const a = createPgPolicyStore({ connectionString: PG_TEST_URL, schema: readBackSchema });
    const b = createPgPolicyStore({ connectionString: PG_TEST_URL, schema: readBackSchema });
    await a.open(lostMeta);
    await b.open(lostMeta);
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    const listeners = async (): Promise<number> =>
      Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE query = $1`, [`LISTEN ${policyChannel(readBackSchema, lostMeta.policyKey)}`])).rows[0]?.n);
    /** Reads a's log from `afterId` until something arrives (b's commits reach a a moment after they are made). */
    const readUntilSome = async (afterId: number): Promise<PolicyEvent[]> => {
      let seen: PolicyEvent[] = [];
      await vi.waitFor(
        async () => {
          seen = [...seen, ...(await a.eventsAfter(seen.at(-1)?.id ?? afterId, 100))];
          expect(seen.length).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 10 },
      );
      return seen;
    };
    try {
      expect(await listeners()).toBe(2);
      const first = await a.appendDecision(decision('a1'));
      expect((await a.eventsAfter(0, 100)).map((e) => e.id)).toEqual([first]);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN ${policyChannel(readBackSchema, lostMeta.policyKey)}`]);
      const second = await b.appendDecision(decision('b1'));
      expect((await readUntilSome(first)).map((e) => [e.id, e.decisionId])).toEqual([[second, 'b1']]);

      await vi.waitFor(async () => expect(await listeners()).toBe(2), { timeout: 10_000, interval: 10 });
      // The first read that starts once it listens again (its LISTEN answered, a moment after pg_stat_activity shows
      // it) goes to the database; its own appends after that come from memory.
      let readUpTo = second;
      await vi.waitFor(
        async () => {
          expect(await a.eventsAfter(readUpTo, 100)).toEqual([]);
          const queries = countPoolQueries();
          try {
            const own = await a.appendDecision(decision(`a-after-${readUpTo}`));
            expect((await a.eventsAfter(readUpTo, 100)).map((e) => e.id)).toEqual([own]);
            readUpTo = own;
            expect(queries.count()).toBe(0);
          } finally {
            queries.restore();
          }
        },
        { timeout: 10_000, interval: 20 },
      );
      const fourth = await b.appendDecision(decision('b2'));
      expect((await readUntilSome(fourth - 1)).map((e) => [e.id, e.decisionId])).toEqual([[fourth, 'b2']]);
    } finally {
      await admin.end();
      await a.close();
      await b.close();
    }
  });
});

