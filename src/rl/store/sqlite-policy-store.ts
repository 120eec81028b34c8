import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { eventColumns, toPolicyEvent, type EventRow } from './event-row.js';
import { GroupCommit } from './group-commit.js';
import { OwnEventTail } from './own-event-tail.js';
import { WalFlusher } from './wal-flusher.js';
import { SNAPSHOTS_KEPT, type AppendRewardResult, type CommitObserver, type PolicyMeta, type PolicySnapshot, type PolicyStore } from './policy-store.js';

export interface SqlitePolicyStoreOptions {
  filePath: string;
  /**
   * FULL (default): a commit is fsynced before the call returns, so it survives a crash of the OS too.
   * NORMAL: survives a crash of the process (WAL in the page cache) but not of the machine.
   */
  synchronous?: 'FULL' | 'NORMAL';
  busyTimeoutMs?: number;
  /** Told of each COMMIT of the log. */
  onCommit?: CommitObserver;
}

/** With synchronous=NORMAL, the WAL is fsynced off the event loop every this many commits (wal-flusher.ts). */
const WAL_FSYNC_EVERY_COMMITS = 4;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS policy_meta (
  policy_key TEXT PRIMARY KEY, arm_names TEXT NOT NULL, d INTEGER NOT NULL,
  feature_schema_hash TEXT NOT NULL, config TEXT NOT NULL, updated_ms INTEGER NOT NULL);
-- why no AUTOINCREMENT: rows are never deleted, so max(id) + 1 is already a new, increasing id, and the
-- sqlite_sequence row it updated was one more page in every commit. Files made before keep their AUTOINCREMENT
-- (and an index on (policy_key, id) that eventsAfter no longer uses).
CREATE TABLE IF NOT EXISTS policy_event (
  id INTEGER PRIMARY KEY,
  policy_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('decision', 'reward', 'relabel')),
  decision_id TEXT NOT NULL, episode_id TEXT NOT NULL, arm_index INTEGER NOT NULL,
  value REAL, x TEXT, payload TEXT NOT NULL, ts_ms INTEGER NOT NULL,
  UNIQUE (policy_key, decision_id, kind));
-- why this UNIQUE order and an index on decision rows only: every index entry lands on a page the group's COMMIT
-- writes to the WAL. Decision ids grow with time, so a decision and its reward and relabel now go to one place at
-- the right edge, not to three (one per kind); and the 64-odd episodes in flight scattered their rows over as many
-- pages of an index on episode_id: one more WAL page a step. A reward or relabel row carries its decision's id, so
-- an episode's events are its decisions and the rows that share their ids. Files made before keep their UNIQUE
-- (policy_key, kind, decision_id), which answers the same lookups; their index on all rows is replaced below.
CREATE INDEX IF NOT EXISTS policy_decision_episode ON policy_event (policy_key, episode_id, id) WHERE kind = 'decision';
DROP INDEX IF EXISTS policy_event_episode;
CREATE TABLE IF NOT EXISTS policy_snapshot (
  id INTEGER PRIMARY KEY AUTOINCREMENT, policy_key TEXT NOT NULL, last_event_id INTEGER NOT NULL,
  feature_schema_hash TEXT NOT NULL, state TEXT NOT NULL, ts_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS policy_snapshot_key ON policy_snapshot (policy_key, last_event_id);
`;

/**
 * The default policy store: one SQLite file in WAL mode. better-sqlite3 is synchronous, so when a promise of this
 * store resolves the row is committed (and, with synchronous=FULL, fsynced); writes made close together (the same
 * few event-loop turns) share one commit (group-commit.ts). SQLite has a single writer, so ids are assigned and
 * committed in order and `eventsAfter` never skips a late commit. Several processes may share the file.
 */
export function createSqlitePolicyStore(options: SqlitePolicyStoreOptions): PolicyStore {
  fs.mkdirSync(path.dirname(options.filePath), { recursive: true });
  const db = new Database(options.filePath);
  db.pragma('journal_mode = WAL');
  const synchronous = options.synchronous ?? 'FULL';
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  // why 1,000 pages (SQLite's default): a checkpoint runs inside the COMMIT that crosses the threshold, on the event
  // loop. At 10,000 pages each one stalled every step in flight for tens of ms: bench:server's p99 at 64 clients
  // was 53–60 ms against 27–29 ms at 1,000, with the same steps/s. A checkpointer thread with its own connection
  // (wal_autocheckpoint = 0 here) did remove the stalls, but cost the writer ~10% more CPU a step; not kept.
  db.pragma('wal_autocheckpoint = 1000');
  db.exec(SCHEMA);
  // why: reading back our own writes is on every step's path; PRAGMA data_version tells whether another
  // connection committed since our last read, and when none did, OwnEventTail answers without a query.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let seenDataVersion = dataVersion.get() as number;
  // why once per event-loop turn: each check is a read transaction (file locks); a step syncs several times in
  // one turn, and another process's commit is still seen on the next turn.
  let isVersionCheckedThisTurn = false;
  const isUnchangedByOthers = (): boolean => {
    if (group.holdsWriteLock || isVersionCheckedThisTurn) return true;
    if ((dataVersion.get() as number) !== seenDataVersion) return false;
    isVersionCheckedThisTurn = true;
    setImmediate(() => {
      isVersionCheckedThisTurn = false;
    });
    return true;
  };
  let tail = new OwnEventTail();
  // why NORMAL only: with FULL every COMMIT syncs the WAL already.
  const walFlusher = synchronous === 'NORMAL' ? new WalFlusher(`${options.filePath}-wal`, WAL_FSYNC_EVERY_COMMITS) : undefined;
  const group = new GroupCommit(
    db,
    () => {
      tail = new OwnEventTail();
    },
    (seconds) => {
      walFlusher?.committed();
      options.onCommit?.(seconds);
    },
  );
  /** Reads see committed rows only: the open group's transaction is committed first. */
  const committed = (): void => group.flush();

  let policyKey: string | undefined;
  const key = (): string => {
    if (policyKey === undefined) throw new Error('policy store used before open()');
    return policyKey;
  };

  const stmt = {
    upsertMeta: db.prepare(`INSERT INTO policy_meta (policy_key, arm_names, d, feature_schema_hash, config, updated_ms)
      VALUES (@policyKey, @armNames, @d, @featureSchemaHash, @config, @updatedMs)
      ON CONFLICT (policy_key) DO UPDATE SET config = excluded.config, updated_ms = excluded.updated_ms`),
    listMeta: db.prepare('SELECT policy_key, arm_names, d, feature_schema_hash, config FROM policy_meta ORDER BY updated_ms'),
    insertDecision: db.prepare(`INSERT INTO policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
      VALUES (?, 'decision', ?, ?, ?, NULL, ?, ?, ?)`),
    insertReward: db.prepare(`INSERT INTO policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
      SELECT policy_key, @kind, decision_id, episode_id, arm_index, @value, NULL, @payload, @tsMs FROM policy_event
      WHERE policy_key = @key AND kind = 'decision' AND decision_id = @decisionId
      ON CONFLICT (policy_key, kind, decision_id) DO NOTHING`),
    // why: the tail knows a recent decision's arm and episode, and the lookup of its row was a third of a reward's cost.
    insertKnownReward: db.prepare(`INSERT INTO policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
      VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (policy_key, kind, decision_id) DO NOTHING`),
    hasDecision: db.prepare(`SELECT 1 FROM policy_event WHERE policy_key = ? AND kind = 'decision' AND decision_id = ?`),
    insertSnapshot: db.prepare(`INSERT INTO policy_snapshot (policy_key, last_event_id, feature_schema_hash, state, ts_ms)
      VALUES (?, ?, ?, ?, ?)`),
    pruneSnapshots: db.prepare(`DELETE FROM policy_snapshot WHERE policy_key = ? AND id NOT IN (
      SELECT id FROM policy_snapshot WHERE policy_key = ? ORDER BY last_event_id DESC, id DESC LIMIT ?)`),
    latestSnapshot: db.prepare(`SELECT last_event_id, feature_schema_hash, state, ts_ms FROM policy_snapshot
      WHERE policy_key = ? ORDER BY last_event_id DESC, id DESC LIMIT 1`),
    // why `+e.policy_key`: walk the rowid range (the table's own order) and filter by key, rather than use an index.
    eventsAfter: db.prepare(`SELECT ${eventColumns('policy_event')} FROM policy_event e
      WHERE e.id > ? AND +e.policy_key = ? ORDER BY e.id LIMIT ?`),
    // why `e.kind IN (…)` (every kind): it lets either UNIQUE column order look the ids up.
    episodeEvents: db.prepare(`SELECT ${eventColumns('policy_event')} FROM policy_event e
      WHERE e.policy_key = @key AND e.kind IN ('decision', 'reward', 'relabel') AND e.decision_id IN (
        SELECT decision_id FROM policy_event WHERE policy_key = @key AND kind = 'decision' AND episode_id = @episodeId)
      ORDER BY e.id`),
    pending: db.prepare(`SELECT ${eventColumns('policy_event')} FROM policy_event e
      WHERE e.policy_key = ? AND e.kind = 'decision' AND e.id <= ? AND NOT EXISTS (
        SELECT 1 FROM policy_event r WHERE r.policy_key = e.policy_key AND r.kind = 'reward' AND r.decision_id = e.decision_id)
      ORDER BY e.id`),
  };

  return {
    kind: 'sqlite',
    async open(meta: PolicyMeta) {
      committed();
      stmt.upsertMeta.run({
        policyKey: meta.policyKey,
        armNames: JSON.stringify(meta.armNames),
        d: meta.d,
        featureSchemaHash: meta.featureSchemaHash,
        config: JSON.stringify(meta.config),
        updatedMs: Date.now(),
      });
      policyKey = meta.policyKey;
      tail = new OwnEventTail();
    },
    async listPolicies() {
      committed();
      const rows = stmt.listMeta.all() as { policy_key: string; arm_names: string; d: number; feature_schema_hash: string; config: string }[];
      return rows.map((r) => ({
        policyKey: r.policy_key,
        armNames: JSON.parse(r.arm_names) as string[],
        d: r.d,
        featureSchemaHash: r.feature_schema_hash,
        config: JSON.parse(r.config) as Record<string, unknown>,
      }));
    },
    appendDecision(e) {
      return group.write(
        () => Number(stmt.insertDecision.run(key(), e.decisionId, e.episodeId, e.armIndex, JSON.stringify(e.x), JSON.stringify(e.payload), e.tsMs).lastInsertRowid),
        (id) => tail.recordDecision(id, e),
      );
    },
    appendReward(e) {
      return group.write(
        (): { result: AppendRewardResult; id: number } => {
          const known = tail.decisionOf(e.decisionId);
          const payload = JSON.stringify(e.payload);
          const info =
            known === undefined
              ? stmt.insertReward.run({ key: key(), kind: e.kind, decisionId: e.decisionId, value: e.value, payload, tsMs: e.tsMs })
              : stmt.insertKnownReward.run(key(), e.kind, e.decisionId, known.episodeId, known.armIndex, e.value, payload, e.tsMs);
          if (info.changes === 1) return { result: 'inserted', id: Number(info.lastInsertRowid) };
          if (known !== undefined) return { result: 'duplicate', id: 0 };
          return { result: stmt.hasDecision.get(key(), e.decisionId) === undefined ? 'unknown-decision' : 'duplicate', id: 0 };
        },
        ({ result, id }) => {
          if (result === 'inserted') tail.recordReward(id, e);
        },
      ).then(({ result }) => result);
    },
    async appendSnapshot(s: PolicySnapshot) {
      await group.write(() => {
        stmt.insertSnapshot.run(key(), s.lastEventId, s.featureSchemaHash, JSON.stringify(s.state), s.tsMs);
        stmt.pruneSnapshots.run(key(), key(), SNAPSHOTS_KEPT);
      });
    },
    async loadLatestSnapshot() {
      committed();
      const row = stmt.latestSnapshot.get(key()) as { last_event_id: number; feature_schema_hash: string; state: string; ts_ms: number } | undefined;
      if (row === undefined) return undefined;
      return {
        lastEventId: row.last_event_id,
        featureSchemaHash: row.feature_schema_hash,
        state: JSON.parse(row.state) as PolicySnapshot['state'],
        tsMs: row.ts_ms,
      };
    },
    async eventsAfter(afterId, limit) {
      // why: the tail holds committed events only, so the hot path neither queries nor cuts the group's commit short.
      const fromMemory = tail.read(afterId, limit, isUnchangedByOthers());
      if (fromMemory !== undefined) return fromMemory;
      committed();
      seenDataVersion = dataVersion.get() as number;
      const events = (stmt.eventsAfter.all(afterId, key(), limit) as EventRow[]).map(toPolicyEvent);
      tail.afterQuery(events, afterId, limit);
      return events;
    },
    async episodeEvents(episodeId) {
      // why no commit first: these rows plan relabels, they are not folded; the open group's rows belong in the plan.
      return (stmt.episodeEvents.all({ key: key(), episodeId }) as EventRow[]).map(toPolicyEvent);
    },
    async pendingDecisions(upToId) {
      committed();
      return (stmt.pending.all(key(), upToId) as EventRow[]).map(toPolicyEvent);
    },
    async close() {
      if (!db.open) return;
      committed();
      db.close();
      walFlusher?.close();
    },
  };
}
