import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLinUcbPolicy } from '../../../src/rl/policy.js';
import { replayPolicyState } from '../../../src/rl/policy-state.js';
import { createSqlitePolicyStore } from '../../../src/rl/store/sqlite-policy-store.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { acks, spawnPolicyWorker, WORKER_ARMS, WORKER_D, workerPolicyOptions, type PolicyWorker } from './fixtures/worker-client.js';
import { policyStoreContract } from './policy-store.contract.js';
import { sharedByTwoProcesses } from './shared-by-two-processes.js';

const dir = tmpDir('sre-policy-store-');
const metaOf = (policyKey: string) => ({ policyKey, armNames: ['a', 'b'], d: 2, featureSchemaHash: 'h', config: {} });
const decision = (id: string) => ({ decisionId: id, episodeId: 'e', armIndex: 0, x: [1, 0], payload: {}, tsMs: 1 });

describe('SQLite policy store', () => {
  const contractFile = (name: string): string => path.join(dir, `contract-${name}.sqlite`);
  policyStoreContract(
    (name) => createSqlitePolicyStore({ filePath: contractFile(name) }),
    async (name, policyKey) => {
      const db = new Database(contractFile(name), { readonly: true });
      const ids = db.prepare('SELECT last_event_id FROM policy_snapshot WHERE policy_key = ?').pluck().all(policyKey) as number[];
      db.close();
      return ids;
    },
  );

  it('uses WAL with synchronous=FULL by default', async () => {
    const filePath = path.join(dir, 'pragmas.sqlite');
    const store = createSqlitePolicyStore({ filePath });
    const db = new Database(filePath, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });
});

describe('SQLite policy store WAL syncing', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  type FsyncCallback = (err: NodeJS.ErrnoException | null) => void;

  /** Records fs.fsync calls by inode; each call is held until `release()` answers it (then it really runs). */
  function holdFsyncs(): { inodes: number[]; release: () => Promise<void> } {
    const original = fs.fsync.bind(fs);
    const held: { fd: number; callback: FsyncCallback }[] = [];
    const inodes: number[] = [];
    vi.spyOn(fs, 'fsync').mockImplementation(((fd: number, callback: FsyncCallback) => {
      inodes.push(fs.fstatSync(fd).ino);
      held.push({ fd, callback });
    }) as typeof fs.fsync);
    const release = async (): Promise<void> => {
      await Promise.all(held.splice(0).map(({ fd, callback }) => new Promise<void>((resolve) => original(fd, (err) => (callback(err), resolve())))));
    };
    return { inodes, release };
  }

  const commits = async (store: ReturnType<typeof createSqlitePolicyStore>, n: number, prefix: string): Promise<void> => {
    // why awaited one by one: the writes of one event-loop turn share a commit, so each of these is its own.
    for (let i = 0; i < n; i++) await store.appendDecision(decision(`${prefix}${i}`));
  };

  it('with synchronous=NORMAL, fsyncs the WAL file off the event loop every 4 commits, one at a time, also on a reopened file', async () => {
    const filePath = path.join(dir, 'wal-flush.sqlite');
    for (const round of ['first', 'reopened']) {
      const fsyncs = holdFsyncs();
      const store = createSqlitePolicyStore({ filePath, synchronous: 'NORMAL' });
      await store.open(metaOf('wal'));
      const walInode = fs.statSync(`${filePath}-wal`).ino;
      await commits(store, 3, `${round}-a`);
      expect(fsyncs.inodes, round).toEqual([]);
      await commits(store, 1, `${round}-b`);
      expect(fsyncs.inodes, round).toEqual([walInode]);
      // The first is still running: four more commits start no second one.
      await commits(store, 4, `${round}-c`);
      expect(fsyncs.inodes, round).toHaveLength(1);
      await fsyncs.release();
      await commits(store, 4, `${round}-d`);
      expect(fsyncs.inodes, round).toEqual([walInode, walInode]);
      await fsyncs.release();
      await store.close();
      vi.restoreAllMocks();
    }
  });

  it('with synchronous=FULL, leaves it to SQLite, which syncs every commit', async () => {
    const fsyncs = holdFsyncs();
    const store = createSqlitePolicyStore({ filePath: path.join(dir, 'wal-full.sqlite'), synchronous: 'FULL' });
    await store.open(metaOf('wal'));
    await commits(store, 8, 'full');
    expect(fsyncs.inodes).toEqual([]);
    await store.close();
  });
});

describe('SQLite policy files written by an earlier version', () => {
  const meta = metaOf('legacy');

  it('go on with increasing ids in a policy_event table made with AUTOINCREMENT and a (policy_key, id) index', async () => {
    const filePath = path.join(dir, 'legacy.sqlite');
    const old = new Database(filePath);
    old.exec(`CREATE TABLE policy_event (
      id INTEGER PRIMARY KEY AUTOINCREMENT, policy_key TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('decision', 'reward', 'relabel')),
      decision_id TEXT NOT NULL, episode_id TEXT NOT NULL, arm_index INTEGER NOT NULL,
      value REAL, x TEXT, payload TEXT NOT NULL, ts_ms INTEGER NOT NULL,
      UNIQUE (policy_key, kind, decision_id));
      CREATE INDEX policy_event_key_id ON policy_event (policy_key, id);
      INSERT INTO policy_event (policy_key, kind, decision_id, episode_id, arm_index, x, payload, ts_ms)
        VALUES ('legacy', 'decision', 'before', 'e', 0, '[1,0]', '{}', 1), ('other', 'decision', 'x', 'e', 0, '[1,0]', '{}', 1);
      DELETE FROM policy_event WHERE policy_key = 'other';`);
    old.close();
    const store = createSqlitePolicyStore({ filePath });
    await store.open(meta);
    const id = await store.appendDecision(decision('after'));
    // why 3, not 2: AUTOINCREMENT never reuses the deleted row's id, and the file keeps that rule.
    expect(id).toBe(3);
    expect((await store.eventsAfter(0, 10)).map((e) => [e.id, e.decisionId])).toEqual([[1, 'before'], [3, 'after']]);
    await store.close();
  });

  it('swap their index on every row by episode for one on decision rows, and keep their UNIQUE column order working', async () => {
    const filePath = path.join(dir, 'episode-index.sqlite');
    const old = new Database(filePath);
    old.exec(`CREATE TABLE policy_event (
      id INTEGER PRIMARY KEY, policy_key TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('decision', 'reward', 'relabel')),
      decision_id TEXT NOT NULL, episode_id TEXT NOT NULL, arm_index INTEGER NOT NULL,
      value REAL, x TEXT, payload TEXT NOT NULL, ts_ms INTEGER NOT NULL,
      UNIQUE (policy_key, kind, decision_id));
      CREATE INDEX policy_event_episode ON policy_event (policy_key, episode_id, id);
      INSERT INTO policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
        VALUES ('legacy', 'decision', 'old', 'ep', 0, NULL, '[1,0]', '{}', 1), ('legacy', 'reward', 'old', 'ep', 0, 0.5, NULL, '{}', 2);`);
    old.close();
    const store = createSqlitePolicyStore({ filePath });
    await store.open(meta);
    await store.appendDecision({ ...decision('new'), episodeId: 'ep' });
    expect(await store.appendReward({ kind: 'reward', decisionId: 'old', value: 1, payload: {}, tsMs: 3 })).toBe('duplicate');
    expect(await store.appendReward({ kind: 'relabel', decisionId: 'old', value: 0.25, payload: {}, tsMs: 4 })).toBe('inserted');
    expect((await store.episodeEvents('ep')).map((e) => [e.kind, e.decisionId, e.x])).toEqual([
      ['decision', 'old', [1, 0]],
      ['reward', 'old', [1, 0]],
      ['decision', 'new', [1, 0]],
      ['relabel', 'old', [1, 0]],
    ]);
    await store.close();
    const after = new Database(filePath, { readonly: true });
    const indexes = after.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'policy_event' AND sql IS NOT NULL").pluck().all();
    after.close();
    expect(indexes).toEqual(['policy_decision_episode']);
  });

  it('read events after an id from other policies in the same file without mixing them in', async () => {
    const filePath = path.join(dir, 'two-keys.sqlite');
    const first = createSqlitePolicyStore({ filePath });
    await first.open(meta);
    await first.appendDecision(decision('k1-a'));
    await first.open({ ...meta, policyKey: 'other' });
    await first.appendDecision(decision('k2-a'));
    await first.open(meta);
    await first.appendDecision(decision('k1-b'));
    expect((await first.eventsAfter(0, 10)).map((e) => e.decisionId)).toEqual(['k1-a', 'k1-b']);
    expect((await first.eventsAfter(1, 1)).map((e) => e.decisionId)).toEqual(['k1-b']);
    await first.close();
  });
});

describe('SQLite policy store rewards', () => {
  it('writes the same reward row for a decision it wrote itself (known from memory) as for one it looks up', async () => {
    const filePath = path.join(dir, 'reward-rows.sqlite');
    const meta = metaOf('rewards');
    const writer = createSqlitePolicyStore({ filePath });
    const other = createSqlitePolicyStore({ filePath });
    await writer.open(meta);
    await other.open(meta);
    await writer.appendDecision({ ...decision('own'), episodeId: 'e-own', armIndex: 1 });
    await other.appendDecision({ ...decision('theirs'), episodeId: 'e-theirs', armIndex: 0 });
    const reward = (decisionId: string, value: number) => ({ kind: 'reward' as const, decisionId, value, payload: { v: value }, tsMs: 5 });
    expect(await writer.appendReward(reward('own', 0.25))).toBe('inserted');
    expect(await writer.appendReward(reward('theirs', 0.75))).toBe('inserted');
    expect(await writer.appendReward(reward('own', 1))).toBe('duplicate');
    expect(await writer.appendReward(reward('theirs', 1))).toBe('duplicate');
    const reader = new Database(filePath, { readonly: true });
    const rows = reader.prepare("SELECT policy_key, decision_id, episode_id, arm_index, value, x, payload, ts_ms FROM policy_event WHERE kind = 'reward' ORDER BY id").all();
    reader.close();
    expect(rows).toEqual([
      { policy_key: 'rewards', decision_id: 'own', episode_id: 'e-own', arm_index: 1, value: 0.25, x: null, payload: '{"v":0.25}', ts_ms: 5 },
      { policy_key: 'rewards', decision_id: 'theirs', episode_id: 'e-theirs', arm_index: 0, value: 0.75, x: null, payload: '{"v":0.75}', ts_ms: 5 },
    ]);
    await writer.close();
    await other.close();
  });
});

describe('SQLite policy store group commit', () => {
  const meta = metaOf('group');

  it('commits the writes of one event-loop turn together, and resolves each only once it is committed', async () => {
    const filePath = path.join(dir, 'group.sqlite');
    const store = createSqlitePolicyStore({ filePath, synchronous: 'FULL' });
    await store.open(meta);
    const reader = new Database(filePath, { readonly: true });
    const committedDecisions = () => reader.prepare("SELECT COUNT(*) FROM policy_event WHERE kind = 'decision'").pluck().get();
    const writes = Promise.all([store.appendDecision(decision('g1')), store.appendDecision(decision('g2')), store.appendReward({ kind: 'reward', decisionId: 'g1', value: 1, payload: {}, tsMs: 2 })]);
    expect(committedDecisions()).toBe(0);
    const [id1, id2, rewarded] = await writes;
    expect(committedDecisions()).toBe(2);
    expect([id2 - id1, rewarded]).toEqual([1, 'inserted']);
    expect((await store.eventsAfter(0, 10)).map((e) => e.kind)).toEqual(['decision', 'decision', 'reward']);
    reader.close();
    await store.close();
  });

  it('tells onCommit the seconds of each COMMIT: one for the writes of a turn, one more for a later turn', async () => {
    const commits: number[] = [];
    const store = createSqlitePolicyStore({ filePath: path.join(dir, 'group-timed.sqlite'), onCommit: (seconds) => commits.push(seconds) });
    await store.open(meta);
    await Promise.all([store.appendDecision(decision('t1')), store.appendDecision(decision('t2'))]);
    expect(commits).toHaveLength(1);
    await store.appendReward({ kind: 'reward', decisionId: 't1', value: 1, payload: {}, tsMs: 2 });
    expect(commits).toHaveLength(2);
    for (const seconds of commits) expect(seconds).toBeGreaterThan(0);
    for (const seconds of commits) expect(seconds).toBeLessThan(5);
    await store.close();
  });

  it('rejects only the write that failed; the rest of its turn commits', async () => {
    const store = createSqlitePolicyStore({ filePath: path.join(dir, 'group-failure.sqlite') });
    await store.open(meta);
    const results = await Promise.allSettled([store.appendDecision(decision('same')), store.appendDecision(decision('same')), store.appendDecision(decision('other'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.eventsAfter(0, 10)).map((e) => e.decisionId)).toEqual(['same', 'other']);
    await store.close();
  });
});

describe('SQLite policy file shared by two processes', () => {
  const filePath = path.join(dir, 'shared.sqlite');
  const workers: PolicyWorker[] = [];
  afterAll(() => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  });
  sharedByTwoProcesses(
    (seed) => {
      const worker = spawnPolicyWorker({ store: 'sqlite', filePath, seed, snapshotEvery: 10 });
      workers.push(worker);
      return worker;
    },
    () => createSqlitePolicyStore({ filePath }),
  );
});

describe('SQLite policy store under a crash', () => {
  it('keeps every acknowledged decision and reward of a writer killed with SIGKILL mid-burst, and its statistics equal a replay', async () => {
    const filePath = path.join(dir, 'crash.sqlite');
    const worker = spawnPolicyWorker({ store: 'sqlite', filePath, seed: 5, snapshotEvery: 7 });
    await worker.ready;
    void worker.send({ op: 'burst', count: 1_000_000, tag: 'crash' }).catch(() => undefined);
    await worker.waitFor((lines) => lines.filter((l) => l.ack === 'reward').length >= 60);
    worker.child.kill('SIGKILL');
    const exit = await worker.exited;
    expect(exit.signal).toBe('SIGKILL');
    const acked = acks(worker.lines);
    expect(acked.rewards.size).toBeGreaterThanOrEqual(60);

    const store = createSqlitePolicyStore({ filePath });
    const policy = await createLinUcbPolicy(workerPolicyOptions(store, 5, 7));
    const events = await store.eventsAfter(0, 1_000_000);
    const decided = new Set(events.filter((e) => e.kind === 'decision').map((e) => e.decisionId));
    const rewarded = new Map(events.filter((e) => e.kind === 'reward').map((e) => [e.decisionId, e.value]));
    for (const id of acked.decisions) expect(decided.has(id)).toBe(true);
    for (const [id, r] of acked.rewards) expect(rewarded.get(id)).toBe(r);
    expect(decided.size).toBeGreaterThanOrEqual(acked.decisions.length);

    const snapshot = await store.loadLatestSnapshot();
    expect(snapshot?.lastEventId).toBeGreaterThan(0);
    const replay = replayPolicyState({ armCount: WORKER_ARMS.length, d: WORKER_D }, events);
    expect(policy.exportState()).toEqual(replay.exportState());
    expect(policy.stats().rewards).toBe(rewarded.size);
    await store.close();
  });
});
