import pg from 'pg';
import type { Logger } from '../../logger.js';
import { BatchQueue } from './batch-queue.js';
import { eventColumns, toPolicyEvent, type EventRow } from './event-row.js';
import { OwnEventTail } from './own-event-tail.js';
import { PgCommitSignal } from './pg-commit-signal.js';
import { SNAPSHOTS_KEPT, type CommitObserver, type NewDecisionEvent, type NewRewardEvent, type PolicyEvent, type PolicyMeta, type PolicySnapshot, type PolicyStore } from './policy-store.js';
import { SharedReads } from './shared-reads.js';

export interface PgPolicyStoreOptions {
  connectionString: string;
  /** Schema holding the tables (created if missing); default 'public'. */
  schema?: string;
  poolSize?: number;
  /** Receives errors of idle pooled connections (e.g. a server restart), which would otherwise crash the process. */
  log?: Logger;
  /** Told of each batch's write transaction, timed from sending it to its commit. */
  onCommit?: CommitObserver;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function schemaSql(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.policy_meta (
  policy_key TEXT PRIMARY KEY, arm_names JSONB NOT NULL, d INTEGER NOT NULL,
  feature_schema_hash TEXT NOT NULL, config JSONB NOT NULL, updated_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.policy_event (
  id BIGSERIAL PRIMARY KEY,
  policy_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('decision', 'reward', 'relabel')),
  decision_id TEXT NOT NULL, episode_id TEXT NOT NULL, arm_index INTEGER NOT NULL,
  value DOUBLE PRECISION, x TEXT, payload JSONB NOT NULL, ts_ms BIGINT NOT NULL,
  UNIQUE (policy_key, kind, decision_id));
CREATE INDEX IF NOT EXISTS policy_event_episode ON ${s}.policy_event (policy_key, episode_id, id);
CREATE INDEX IF NOT EXISTS policy_event_key_id ON ${s}.policy_event (policy_key, id);
CREATE TABLE IF NOT EXISTS ${s}.policy_snapshot (
  id BIGSERIAL PRIMARY KEY, policy_key TEXT NOT NULL, last_event_id BIGINT NOT NULL,
  feature_schema_hash TEXT NOT NULL, state TEXT NOT NULL, ts_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS policy_snapshot_key ON ${s}.policy_snapshot (policy_key, last_event_id);
${appendEventsSql(s)}`;
}

/**
 * One batch of appends as one statement, so one round trip and one transaction of its own: the advisory lock, the
 * decisions (ids in the batch's order), the rewards and relabels (each finding its decision, one of this batch's
 * included), and the NOTIFY of the highest id written, delivered when it commits. It returns the rows written.
 * A reward whose decision is unknown, or that exists already, writes nothing.
 *
 * why LATERAL … LIMIT 1 for a reward's decision: it stays one UNIQUE-index lookup per reward. A join let PostgreSQL
 * plan from stale statistics (autovacuum lags a fast-growing log, or is off) a hash join over every decision of the
 * policy: 19 ms a batch at 15,000 decisions, growing with the log. why force_custom_plan: PL/pgSQL would otherwise
 * keep a generic plan made while the log was small.
 */
function appendEventsSql(s: string): string {
  return `
CREATE OR REPLACE FUNCTION ${s}.append_events(
  p_key text, p_lock text, p_channel text, p_token text,
  d_ids text[], d_episodes text[], d_arms int4[], d_xs text[], d_payloads text[], d_ts int8[],
  r_kinds text[], r_decisions text[], r_values float8[], r_payloads text[], r_ts int8[])
RETURNS TABLE (event_id bigint, event_kind text, event_decision_id text)
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $fn$
DECLARE
  top bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(p_lock));
  FOR event_id, event_kind, event_decision_id IN
    WITH written AS (
      INSERT INTO ${s}.policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
      SELECT p_key, 'decision', d.decision_id, d.episode_id, d.arm_index, NULL, d.x, d.payload::jsonb, d.ts_ms
      FROM unnest(d_ids, d_episodes, d_arms, d_xs, d_payloads, d_ts)
        WITH ORDINALITY AS d (decision_id, episode_id, arm_index, x, payload, ts_ms, ord)
      ORDER BY d.ord RETURNING id, kind, decision_id)
    SELECT * FROM written
  LOOP
    top := greatest(top, event_id);
    RETURN NEXT;
  END LOOP;
  FOR event_id, event_kind, event_decision_id IN
    WITH written AS (
      INSERT INTO ${s}.policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
      SELECT d.policy_key, r.kind, d.decision_id, d.episode_id, d.arm_index, r.value, NULL, r.payload::jsonb, r.ts_ms
      FROM unnest(r_kinds, r_decisions, r_values, r_payloads, r_ts) WITH ORDINALITY AS r (kind, decision_id, value, payload, ts_ms, ord)
      CROSS JOIN LATERAL (SELECT e.policy_key, e.decision_id, e.episode_id, e.arm_index FROM ${s}.policy_event e
        WHERE e.policy_key = p_key AND e.kind = 'decision' AND e.decision_id = r.decision_id LIMIT 1) d
      ORDER BY r.ord
      ON CONFLICT (policy_key, kind, decision_id) DO NOTHING RETURNING id, kind, decision_id)
    SELECT * FROM written
  LOOP
    top := greatest(top, event_id);
    RETURN NEXT;
  END LOOP;
  IF top IS NOT NULL AND p_channel <> '' THEN
    PERFORM pg_notify(p_channel, p_token || ' ' || top);
  END IF;
END
$fn$;`;
}

/** One append waiting for its batch: a decision resolves with its id, a reward with whether it was inserted. */
type Append = { kind: 'decision'; event: NewDecisionEvent } | { kind: 'reward'; event: NewRewardEvent };

/**
 * A policy store shared by several server processes (POLICY_STORE_URL). Each process appends events (BIGSERIAL
 * ids) and pulls `eventsAfter(lastSeen)`. Every append transaction takes a transaction-scoped advisory lock first, so
 * ids are committed in id order and a reader never sees id n+1 before id n; without it a slow commit of a lower id
 * would be skipped for ever. Rewards are idempotent through UNIQUE (policy_key, kind, decision_id).
 *
 * Appends are group-committed (BatchQueue): the appends that arrive while one batch is in flight share the next, one
 * call of the schema's append_events function (one round trip, one transaction). why: with a transaction per append,
 * five round trips and a WAL flush under the lock, bench:server's 64 clients got 36–72 steps/s, the lock queue being
 * the limit; with a batch in four round trips (BEGIN with the lock, decisions, rewards, COMMIT) each waited its turn
 * on the busy event loop.
 *
 * Reading back its own appends (the policy syncs after each) is answered from memory (OwnEventTail) while no other
 * process has announced a commit (PgCommitSignal) and the ids show no one else's rows in between.
 */
export function createPgPolicyStore(options: PgPolicyStoreOptions): PolicyStore {
  const schema = options.schema ?? 'public';
  if (!IDENTIFIER.test(schema)) throw new RangeError(`invalid schema name '${schema}'`);
  const s = `"${schema}"`;
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 4 });
  pool.on('error', (err) => options.log?.warn({ err, mod: 'rl.store.pg' }, 'idle policy store connection failed'));
  // why: a checked-out client whose socket dies emits 'error' outside any query; unhandled, it would crash the process.
  pool.on('connect', (client) => client.on('error', (err) => options.log?.warn({ err, mod: 'rl.store.pg' }, 'policy store connection lost')));
  const lockKey = `sql-repair-env.policy_event.${schema}`;
  let policyKey: string | undefined;
  const key = (): string => {
    if (policyKey === undefined) throw new Error('policy store used before open()');
    return policyKey;
  };

  /** Set by open(): it listens on the policy's channel, and the tail holds that policy's events. */
  let signal: PgCommitSignal | undefined;
  let tail = new OwnEventTail();

  /** Runs `fn` in a transaction holding the append lock. */
  async function inOrderedTx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      // why one query: each round trip holds the lock one more event-loop turn of this busy process.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext(${client.escapeLiteral(lockKey)}))`);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Writes a batch (append_events) and, once committed, tells the tail what it wrote, in id order. A reward repeated
   * within the batch is tried once; its repeats are answered as not inserted.
   */
  const appendBatch = async (batch: Append[]): Promise<(number | boolean)[]> => {
    // why held: the batch belongs to the policy open when it started, even should open() switch policies meanwhile.
    const batchTail = tail;
    const d: NewDecisionEvent[] = [];
    const rewards = new Map<string, NewRewardEvent>();
    for (const a of batch) {
      if (a.kind === 'decision') {
        d.push(a.event);
        continue;
      }
      const rewardKey = `${a.event.kind} ${a.event.decisionId}`;
      if (!rewards.has(rewardKey)) rewards.set(rewardKey, a.event);
    }
    // why no de-duplication of decisions: a repeated decision id fails the batch, and its retry one by one fails only it.
    const decisions = new Map(d.map((e) => [e.decisionId, e]));
    const r = [...rewards.values()];
    const started = performance.now();
    const { rows } = await pool.query<{ event_id: string; event_kind: string; event_decision_id: string }>(
      `SELECT event_id, event_kind, event_decision_id FROM ${s}.append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        key(),
        lockKey,
        signal?.channel ?? '',
        signal?.token ?? '',
        d.map((e) => e.decisionId),
        d.map((e) => e.episodeId),
        d.map((e) => e.armIndex),
        d.map((e) => JSON.stringify(e.x)),
        d.map((e) => JSON.stringify(e.payload)),
        d.map((e) => e.tsMs),
        r.map((e) => e.kind),
        r.map((e) => e.decisionId),
        r.map((e) => e.value),
        r.map((e) => JSON.stringify(e.payload)),
        r.map((e) => e.tsMs),
      ],
    );
    options.onCommit?.((performance.now() - started) / 1000);
    const ids = new Map<string, number>();
    const inserted = new Set<NewRewardEvent>();
    for (const row of rows.map((w) => ({ id: Number(w.event_id), kind: w.event_kind, decisionId: w.event_decision_id })).sort((a, b) => a.id - b.id)) {
      if (row.kind === 'decision') {
        ids.set(row.decisionId, row.id);
        batchTail.recordDecision(row.id, decisions.get(row.decisionId) as NewDecisionEvent);
      } else {
        const reward = rewards.get(`${row.kind} ${row.decisionId}`) as NewRewardEvent;
        inserted.add(reward);
        batchTail.recordReward(row.id, reward);
      }
    }
    return batch.map((a) => (a.kind === 'decision' ? (ids.get(a.event.decisionId) ?? NaN) : inserted.has(a.event)));
  };

  const appends = new BatchQueue<Append, number | boolean>(appendBatch, async (append) => (await appendBatch([append]))[0] as number | boolean);

  const tailReads = new SharedReads<PolicyEvent[]>();

  const selectEvents = async (where: string, params: unknown[], tail = ''): Promise<ReturnType<typeof toPolicyEvent>[]> => {
    const sql = `SELECT ${eventColumns(`${s}.policy_event`)} FROM ${s}.policy_event e
      WHERE e.policy_key = $1 AND ${where} ORDER BY e.id ${tail}`;
    const { rows } = await pool.query<EventRow>(sql, [key(), ...params]);
    return rows.map(toPolicyEvent);
  };

  return {
    kind: 'postgres',
    async open(meta: PolicyMeta) {
      await inOrderedTx((c) => c.query(schemaSql(s)));
      await pool.query(
        `INSERT INTO ${s}.policy_meta (policy_key, arm_names, d, feature_schema_hash, config, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (policy_key) DO UPDATE SET config = EXCLUDED.config, updated_ms = EXCLUDED.updated_ms`,
        [meta.policyKey, JSON.stringify(meta.armNames), meta.d, meta.featureSchemaHash, JSON.stringify(meta.config), Date.now()],
      );
      // why no await before the three are set: appends made meanwhile must not pair the new key with the old channel.
      const previous = signal;
      policyKey = meta.policyKey;
      tail = new OwnEventTail();
      signal = new PgCommitSignal(options.connectionString, schema, meta.policyKey, options.log);
      await previous?.close();
      await signal.start();
    },
    async listPolicies() {
      const { rows } = await pool.query<{ policy_key: string; arm_names: string[]; d: number; feature_schema_hash: string; config: Record<string, unknown> }>(
        `SELECT policy_key, arm_names, d, feature_schema_hash, config FROM ${s}.policy_meta ORDER BY updated_ms`,
      );
      return rows.map((r) => ({ policyKey: r.policy_key, armNames: r.arm_names, d: r.d, featureSchemaHash: r.feature_schema_hash, config: r.config }));
    },
    async appendDecision(e) {
      return (await appends.push({ kind: 'decision', event: e })) as number;
    },
    async appendReward(e) {
      if ((await appends.push({ kind: 'reward', event: e })) === true) return 'inserted';
      const { rowCount } = await pool.query(`SELECT 1 FROM ${s}.policy_event WHERE policy_key = $1 AND kind = 'decision' AND decision_id = $2`, [
        key(),
        e.decisionId,
      ]);
      return rowCount === 0 ? 'unknown-decision' : 'duplicate';
    },
    async appendSnapshot(snap: PolicySnapshot) {
      await pool.query(
        `INSERT INTO ${s}.policy_snapshot (policy_key, last_event_id, feature_schema_hash, state, ts_ms) VALUES ($1, $2, $3, $4, $5)`,
        [key(), snap.lastEventId, snap.featureSchemaHash, JSON.stringify(snap.state), snap.tsMs],
      );
      await pool.query(
        `DELETE FROM ${s}.policy_snapshot WHERE policy_key = $1 AND id NOT IN (
           SELECT id FROM ${s}.policy_snapshot WHERE policy_key = $1 ORDER BY last_event_id DESC, id DESC LIMIT $2)`,
        [key(), SNAPSHOTS_KEPT],
      );
    },
    async loadLatestSnapshot() {
      const { rows } = await pool.query<{ last_event_id: string; feature_schema_hash: string; state: string; ts_ms: string }>(
        `SELECT last_event_id, feature_schema_hash, state, ts_ms FROM ${s}.policy_snapshot
         WHERE policy_key = $1 ORDER BY last_event_id DESC, id DESC LIMIT 1`,
        [key()],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      return { lastEventId: Number(row.last_event_id), featureSchemaHash: row.feature_schema_hash, state: JSON.parse(row.state) as PolicySnapshot['state'], tsMs: Number(row.ts_ms) };
    },
    async eventsAfter(afterId, limit) {
      const fromMemory = tail.read(afterId, limit, signal?.isUnchangedByOthers() ?? false);
      if (fromMemory !== undefined) return fromMemory;
      const events = await tailReads.read(`${afterId} ${limit}`, async () => {
        signal?.readStarts();
        const read = await selectEvents('e.id > $2', [afterId, limit], 'LIMIT $3');
        signal?.readEnded(tail.afterQuery(read, afterId, limit));
        return read;
      });
      return [...events];
    },
    episodeEvents: (episodeId) => selectEvents('e.episode_id = $2', [episodeId]),
    pendingDecisions: (upToId) =>
      selectEvents(
        `e.kind = 'decision' AND e.id <= $2 AND NOT EXISTS (SELECT 1 FROM ${s}.policy_event r
           WHERE r.policy_key = e.policy_key AND r.kind = 'reward' AND r.decision_id = e.decision_id)`,
        [upToId],
      ),
    async close() {
      await signal?.close();
      await pool.end();
    },
  };
}
