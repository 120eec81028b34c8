import type { PolicyEvent, PolicyEventKind } from './policy-store.js';

/** The columns of one event as both adapters select them (reward/relabel rows take x from their decision row). */
export const EVENT_COLUMNS = `e.id, e.kind, e.decision_id, e.episode_id, e.arm_index, e.value,
  COALESCE(e.x, dx.x) AS x, e.payload, e.ts_ms`;

/** Join that fetches the decision's context vector for reward/relabel rows. */
export function decisionXJoin(table: string): string {
  return `LEFT JOIN ${table} dx
  ON e.kind <> 'decision' AND dx.policy_key = e.policy_key AND dx.kind = 'decision' AND dx.decision_id = e.decision_id`;
}

export interface EventRow {
  id: number | string | bigint;
  kind: string;
  decision_id: string;
  episode_id: string;
  arm_index: number;
  value: number | null;
  x: string | null;
  payload: string | Record<string, unknown>;
  ts_ms: number | string | bigint;
}

const KINDS: readonly PolicyEventKind[] = ['decision', 'reward', 'relabel'];

export function toPolicyEvent(row: EventRow): PolicyEvent {
  const kind = KINDS.find((k) => k === row.kind);
  if (kind === undefined) throw new Error(`policy_event row ${String(row.id)} has unknown kind '${row.kind}'`);
  return {
    id: Number(row.id),
    kind,
    decisionId: row.decision_id,
    episodeId: row.episode_id,
    armIndex: row.arm_index,
    value: row.value,
    x: row.x === null ? [] : (JSON.parse(row.x) as number[]),
    payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as Record<string, unknown>) : row.payload,
    tsMs: Number(row.ts_ms),
  };
}
