import pg from 'pg';
import type { Logger } from '../../logger.js';
import { decisionXJoin, EVENT_COLUMNS, toPolicyEvent, type EventRow } from './event-row.js';
import { SNAPSHOTS_KEPT, type PolicyMeta, type PolicySnapshot, type PolicyStore } from './policy-store.js';

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

/**
 * A policy store shared by several server processes (POLICY_STORE_URL). Each process appends events (BIGSERIAL
 * ids) and pulls `eventsAfter(lastSeen)`. Every append takes a transaction-scoped advisory lock first, so ids are
 * committed in id order and a reader never sees id n+1 before id n; without it a slow commit of a lower id would be
 * skipped for ever. Rewards are idempotent through UNIQUE (policy_key, kind, decision_id).
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

  async function inOrderedTx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
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

  const selectEvents = async (where: string, params: unknown[], tail = ''): Promise<ReturnType<typeof toPolicyEvent>[]> => {
    const sql = `SELECT ${EVENT_COLUMNS} FROM ${s}.policy_event e ${decisionXJoin(`${s}.policy_event`)}
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
    },
    async listPolicies() {
      const { rows } = await pool.query<{ policy_key: string; arm_names: string[]; d: number; feature_schema_hash: string; config: Record<string, unknown> }>(
        `SELECT policy_key, arm_names, d, feature_schema_hash, config FROM ${s}.policy_meta ORDER BY updated_ms`,
      );
      return rows.map((r) => ({ policyKey: r.policy_key, armNames: r.arm_names, d: r.d, featureSchemaHash: r.feature_schema_hash, config: r.config }));
    },
    async appendDecision(e) {
      return inOrderedTx(async (c) => {
        const { rows } = await c.query<{ id: string }>(
          `INSERT INTO ${s}.policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
           VALUES ($1, 'decision', $2, $3, $4, NULL, $5, $6, $7) RETURNING id`,
          [key(), e.decisionId, e.episodeId, e.armIndex, JSON.stringify(e.x), JSON.stringify(e.payload), e.tsMs],
        );
        return Number(rows[0]?.id);
      });
    },
    async appendReward(e) {
      const inserted = await inOrderedTx(async (c) => {
        const { rowCount } = await c.query(
          `INSERT INTO ${s}.policy_event (policy_key, kind, decision_id, episode_id, arm_index, value, x, payload, ts_ms)
           SELECT policy_key, $2, decision_id, episode_id, arm_index, $4, NULL, $5, $6 FROM ${s}.policy_event
           WHERE policy_key = $1 AND kind = 'decision' AND decision_id = $3
           ON CONFLICT (policy_key, kind, decision_id) DO NOTHING`,
          [key(), e.kind, e.decisionId, e.value, JSON.stringify(e.payload), e.tsMs],
        );
        return rowCount === 1;
      });
      if (inserted) return 'inserted';
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
    eventsAfter: (afterId, limit) => selectEvents('e.id > $2', [afterId, limit], 'LIMIT $3'),
    episodeEvents: (episodeId) => selectEvents('e.episode_id = $2', [episodeId]),
    pendingDecisions: (upToId) =>
      selectEvents(
        `e.kind = 'decision' AND e.id <= $2 AND NOT EXISTS (SELECT 1 FROM ${s}.policy_event r
           WHERE r.policy_key = e.policy_key AND r.kind = 'reward' AND r.decision_id = e.decision_id)`,
        [upToId],
      ),
    async close() {
      await pool.end();
    },
  };
}
