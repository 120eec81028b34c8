import pg from 'pg';
import type { Logger } from '../../logger.js';
import { BatchQueue } from './batch-queue.js';
import { eventColumns, toPolicyEvent, type EventRow } from './event-row.js';
import { OwnEventTail } from './own-event-tail.js';
import { PgCommitSignal } from './pg-commit-signal.js';
import { SNAPSHOTS_KEPT, type NewDecisionEvent, type NewRewardEvent, type PolicyEvent, type PolicyMeta, type PolicySnapshot, type PolicyStore } from './policy-store.js';
import { SharedReads } from './shared-reads.js';

export interface PgPolicyStoreOptions {
  connectionString: string;
  /** Schema holding the tables (created if missing); default 'public'. */
  schema?: string;
  poolSize?: number;
  /** Receives errors of idle pooled connections (e.g. a server restart), which would otherwise crash the process. */
  log?: Logger;
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
CREATE INDEX IF NOT EXISTS policy_snapshot_key ON ${s}.policy_snapshot (policy_key, last_event_id);`;
}

/** One append waiting for its batch: a decision resolves with its id, a reward with whether it was inserted. */
type Append = { kind: 'decision'; event: NewDecisionEvent } | { kind: 'reward'; event: NewRewardEvent };

/** What a batch wrote: each append's answer, and the ids its rows got. */
interface BatchWritten {
  answers: (number | boolean)[];
  rows: { id: number; append: Append }[];
}

/**
 * A policy store shared by several server processes (POLICY_STORE_URL). Each process appends events (BIGSERIAL
 * ids) and pulls `eventsAfter(lastSeen)`. Every append transaction takes a transaction-scoped advisory lock first, so
 * ids are committed in id order and a reader never sees id n+1 before id n; without it a slow commit of a lower id
 * would be skipped for ever. Rewards are idempotent through UNIQUE (policy_key, kind, decision_id).
 *
 * Appends are group-committed (BatchQueue): the appends that arrive while one transaction is in flight share the
 * next, its decisions in one INSERT and then its rewards in another. why: with a transaction per append, five round
 * trips and a WAL flush under the lock, bench:server's 64 clients got 36–72 steps/s, the lock queue being the limit.
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

  /** Set by open(): it listens on the policy's channel. */
  let signal: PgCommitSignal | undefined;
  const tail = new OwnEventTail();

  /** Runs `fn` in a transaction holding the append lock; `commitSql(result)` runs in the COMMIT's round trip, before it. */
  async function inOrderedTx<T>(fn: (c: pg.PoolClient) => Promise<T>, commitSql: (result: T) => string = () => ''): Promise<T> {
    const client = await pool.connect();
    try {
      // why one query: each round trip holds the lock one more event-loop turn of this busy process.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext(${client.escapeLiteral(lockKey)}))`);
      const result = await fn(client);
      const before = commitSql(result);
      await client.query(before === '' ? 'COMMIT' : `${before}; COMMIT`);
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Decisions get ids in the batch's order. A reward repeated within the batch is tried once; its repeats are not
   * inserted. why LATERAL … LIMIT 1 for a reward's decision: it stays one UNIQUE-index lookup per reward. A join let
   * PostgreSQL plan from stale statistics (autovacuum lags a fast-growing log, or is off) a hash join over every
   * decision of the policy: 19 ms a batch at 15,000 decisions, growing with the log.
   */
  const insertBatch = async (c: pg.ClientBase, appends: Append[]): Promise<BatchWritten> => {
    const decisionAppends = appends.filter((a): a is Append & { kind: 'decision' } => a.kind === 'decision');
    const decisions = decisionAppends.map((a) => a.event);
    const ids = new Map<string, number>();
    const written: BatchWritten['rows'] = [];
    if (decisions.length > 0) {
      const { rows } = await c.query<{ id: string; decision_id: string }>(
        `INSERT INTO ${s}.policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
         SELECT $1, 'decision', d.decision_id, d.episode_id, d.arm_index, NULL, d.x, d.payload::jsonb, d.ts_ms
         FROM unnest($2::text[], $3::text[], $4::int4[], $5::text[], $6::text[], $7::int8[])
           WITH ORDINALITY AS d (decision_id, episode_id, arm_index, x, payload, ts_ms, ord)
         ORDER BY d.ord RETURNING id, decision_id`,
        [
          key(),
          decisions.map((e) => e.decisionId),
          decisions.map((e) => e.episodeId),
          decisions.map((e) => e.armIndex),
          decisions.map((e) => JSON.stringify(e.x)),
          decisions.map((e) => JSON.stringify(e.payload)),
          decisions.map((e) => e.tsMs),
        ],
      );
      const byId = new Map(decisionAppends.map((a) => [a.event.decisionId, a]));
      for (const row of rows) {
        ids.set(row.decision_id, Number(row.id));
        written.push({ id: Number(row.id), append: byId.get(row.decision_id) as Append });
      }
    }
    const tried = new Map<string, Append & { kind: 'reward' }>();
    for (const a of appends) {
      if (a.kind !== 'reward') continue;
      const rewardKey = `${a.event.kind} ${a.event.decisionId}`;
      if (!tried.has(rewardKey)) tried.set(rewardKey, a);
    }
    const inserted = new Set<NewRewardEvent>();
    if (tried.size > 0) {
      const rewards = [...tried.values()].map((a) => a.event);
      const { rows } = await c.query<{ id: string; kind: string; decision_id: string }>(
        `INSERT INTO ${s}.policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
         SELECT d.policy_key, r.kind, d.decision_id, d.episode_id, d.arm_index, r.value, NULL, r.payload::jsonb, r.ts_ms
         FROM unnest($2::text[], $3::text[], $4::float8[], $5::text[], $6::int8[])
           WITH ORDINALITY AS r (kind, decision_id, value, payload, ts_ms, ord)
         CROSS JOIN LATERAL (SELECT policy_key, decision_id, episode_id, arm_index FROM ${s}.policy_event
           WHERE policy_key = $1 AND kind = 'decision' AND decision_id = r.decision_id LIMIT 1) d
         ORDER BY r.ord
         ON CONFLICT (policy_key, kind, decision_id) DO NOTHING RETURNING id, kind, decision_id`,
        [
          key(),
          rewards.map((e) => e.kind),
          rewards.map((e) => e.decisionId),
          rewards.map((e) => e.value),
          rewards.map((e) => JSON.stringify(e.payload)),
          rewards.map((e) => e.tsMs),
        ],
      );
      for (const row of rows) {
        const append = tried.get(`${row.kind} ${row.decision_id}`) as Append & { kind: 'reward' };
        inserted.add(append.event);
        written.push({ id: Number(row.id), append });
      }
    }
    const answers = appends.map((a) => (a.kind === 'decision' ? (ids.get(a.event.decisionId) ?? NaN) : inserted.has(a.event)));
    return { answers, rows: written };
  };

  /** Writes a batch in one transaction and, once committed, tells the tail what it wrote, in id order. */
  const appendBatch = async (batch: Append[]): Promise<(number | boolean)[]> => {
    const { answers, rows } = await inOrderedTx(
      (c) => insertBatch(c, batch),
      (written) => (written.rows.length === 0 || signal === undefined ? '' : signal.notifySql(Math.max(...written.rows.map((r) => r.id)))),
    );
    rows.sort((a, b) => a.id - b.id);
    for (const { id, append } of rows) {
      if (append.kind === 'decision') tail.recordDecision(id, append.event);
      else tail.recordReward(id, append.event);
    }
    return answers;
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
      policyKey = meta.policyKey;
      await signal?.close();
      signal = new PgCommitSignal(options.connectionString, schema, meta.policyKey, options.log);
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
