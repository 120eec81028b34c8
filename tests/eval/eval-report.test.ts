import { describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '../../src/eval/episode-record.js';
import { buildReport, type EvalRunInfo } from '../../src/eval/eval-report.js';
import { renderReportMarkdown } from '../../src/eval/report-markdown.js';

const RUN: EvalRunInfo = { agent: 'check-rewrite', dataset: 'spider-train', server: 'in-process', transport: 'http', seed: 0, limit: null, sql_source: null, model: { backend: 'openai', model: 'm', device: 'remote' } };

type Step = [arm: string, errorClass: string | null];

function episode(id: string, difficulty: string, steps: Step[], durationMs: number, status: 'ok' | 'error' = 'ok'): EpisodeRecord {
  const last = steps.at(-1);
  const isSuccess = last !== undefined && last[1] === null;
  return {
    question_id: id, task_id: 't', db_id: 'd', difficulty, question: '?', agent: 'check-rewrite', seed: 0, status, error: status === 'error' ? 'boom' : null,
    episode_id: id, success: isSuccess, score: null, final_reward: null, step_rewards: [], turns: steps.length, env_done: true, final_sql: null,
    steps: steps.map(([arm, errorClass], i) => ({ attempt: i + 1, arm, sql: 's', success: errorClass === null, score: null, reward: null, error_class: errorClass, executed: true })),
    model_calls: 2, server_model_calls: 0, prompt_tokens: 100, completion_tokens: 10, duration_ms: durationMs,
  };
}

const RECORDS = [
  episode('a', 'easy', [['generate', null]], 1000),
  episode('b', 'hard', [['generate', 'UNKNOWN_COLUMN'], ['FIX_IDENTIFIER', null]], 2000),
  episode('c', 'medium', [['generate', 'WRONG_RESULT'], ['FIX_JOIN_PATH', 'WRONG_RESULT'], ['REGENERATE', 'UNKNOWN_COLUMN']], 4000),
  episode('d', 'easy', [['generate', 'WRONG_RESULT']], 3000),
  episode('e', 'extra', [], 10, 'error'),
];

describe('buildReport', () => {
  const report = buildReport(RECORDS, RUN);

  it('computes accuracy by hardness in Spider order and by the turn an episode ended at, leaving failed runs out', () => {
    expect(report).toMatchObject({ episodes: 4, correct: 2, accuracy: 0.5, failed: 1, failures: [{ question_id: 'e', error: 'boom' }] });
    expect(report.by_difficulty).toEqual([
      { difficulty: 'easy', count: 2, correct: 1, accuracy: 0.5 },
      { difficulty: 'medium', count: 1, correct: 0, accuracy: 0 },
      { difficulty: 'hard', count: 1, correct: 1, accuracy: 1 },
    ]);
    expect(report.turns).toEqual([
      { turn: 1, count: 2, correct: 1, accuracy: 0.5 },
      { turn: 2, count: 1, correct: 1, accuracy: 1 },
      { turn: 3, count: 1, correct: 0, accuracy: 0 },
    ]);
  });

  it('counts error classes per attempt and per final attempt, and arms with their success rates', () => {
    expect(report.error_classes).toEqual([
      { error_class: 'WRONG_RESULT', attempts: 3, final: 1 },
      { error_class: 'UNKNOWN_COLUMN', attempts: 2, final: 1 },
    ]);
    expect(report.arms[0]).toEqual({ arm: 'generate', attempts: 4, successes: 1, success_rate: 0.25 });
    expect(report.arms.find((a) => a.arm === 'FIX_IDENTIFIER')).toEqual({ arm: 'FIX_IDENTIFIER', attempts: 1, successes: 1, success_rate: 1 });
  });

  it('sums tokens and time per episode', () => {
    expect(report.cost).toMatchObject({ model_calls: 8, prompt_tokens: 400, completion_tokens: 40, tokens_per_episode: 110, time_ms: 10_000, ms_per_episode: 2500, p50_ms: 2000, p95_ms: 4000 });
  });

  it('renders the same figures as markdown tables', () => {
    const md = renderReportMarkdown(report);
    expect(md).toContain('**2 / 4 = 50.0%**');
    expect(md).toContain('| easy | 2 | 1 | 50.0% |');
    expect(md).toContain('| **all** | 4 | 2 | 50.0% |');
    expect(md).toContain('| 3 | 1 | 0 | 0.0% |');
    expect(md).toContain('| FIX_IDENTIFIER | 1 | 1 | 100.0% |');
    expect(md).toContain('| episodes | 4 (+1 failed to run) |');
    expect(md).toContain('| e | boom |');
  });

  it('reports zeros, not NaN, for no episodes', () => {
    const empty = buildReport([], RUN);
    expect(empty).toMatchObject({ episodes: 0, accuracy: 0, cost: { ms_per_episode: 0, p95_ms: 0 } });
  });
});
