import type { EpisodeRecord } from './episode-record.js';

/** What was evaluated; goes at the top of both reports. */
export interface EvalRunInfo {
  agent: string;
  dataset: string;
  server: string;
  transport: string;
  seed: number;
  limit: number | null;
  sql_source: string | null;
  model: { backend: string; model: string; device: string } | null;
}

export interface AccuracyRow {
  count: number;
  correct: number;
  accuracy: number;
}

/** report.json: every figure of report.md, built from episodes.jsonl only. */
export interface EvalReport {
  run: EvalRunInfo;
  episodes: number;
  correct: number;
  accuracy: number;
  /** Episodes that did not finish (agent or server failure); not in any other figure. */
  failed: number;
  failures: { question_id: string; error: string }[];
  by_difficulty: (AccuracyRow & { difficulty: string })[];
  turns: (AccuracyRow & { turn: number })[];
  /** Per attempt: how many attempts met each class, and how many episodes ended on it. */
  error_classes: { error_class: string; attempts: number; final: number }[];
  arms: { arm: string; attempts: number; successes: number; success_rate: number }[];
  cost: {
    model_calls: number;
    server_model_calls: number;
    prompt_tokens: number;
    completion_tokens: number;
    tokens_per_episode: number;
    time_ms: number;
    ms_per_episode: number;
    p50_ms: number;
    p95_ms: number;
  };
}

const DIFFICULTY_ORDER = ['easy', 'medium', 'hard', 'extra', 'simple', 'moderate', 'challenging'];

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function accuracyRow(records: EpisodeRecord[]): AccuracyRow {
  const correct = records.filter((r) => r.success).length;
  return { count: records.length, correct, accuracy: ratio(correct, records.length) };
}

function groupBy<K>(records: EpisodeRecord[], key: (r: EpisodeRecord) => K): Map<K, EpisodeRecord[]> {
  const groups = new Map<K, EpisodeRecord[]>();
  for (const r of records) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return groups;
}

function difficultyRank(d: string): number {
  const i = DIFFICULTY_ORDER.indexOf(d);
  return i < 0 ? DIFFICULTY_ORDER.length : i;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function errorClasses(records: EpisodeRecord[]): EvalReport['error_classes'] {
  const counts = new Map<string, { attempts: number; final: number }>();
  for (const r of records) {
    r.steps.forEach((s, i) => {
      if (s.error_class === null) return;
      const c = counts.get(s.error_class) ?? { attempts: 0, final: 0 };
      c.attempts++;
      if (i === r.steps.length - 1) c.final++;
      counts.set(s.error_class, c);
    });
  }
  return [...counts].map(([error_class, c]) => ({ error_class, ...c })).sort((a, b) => b.attempts - a.attempts || a.error_class.localeCompare(b.error_class));
}

function arms(records: EpisodeRecord[]): EvalReport['arms'] {
  const counts = new Map<string, { attempts: number; successes: number }>();
  for (const s of records.flatMap((r) => r.steps)) {
    const c = counts.get(s.arm) ?? { attempts: 0, successes: 0 };
    c.attempts++;
    if (s.success) c.successes++;
    counts.set(s.arm, c);
  }
  return [...counts].map(([arm, c]) => ({ arm, ...c, success_rate: ratio(c.successes, c.attempts) })).sort((a, b) => b.attempts - a.attempts || a.arm.localeCompare(b.arm));
}

/** The report of the given episodes (one per question: pass latestByQuestion's output). */
export function buildReport(all: EpisodeRecord[], run: EvalRunInfo): EvalReport {
  const records = all.filter((r) => r.status === 'ok');
  const failed = all.filter((r) => r.status === 'error');
  const overall = accuracyRow(records);
  const durations = records.map((r) => r.duration_ms).sort((a, b) => a - b);
  const sum = (f: (r: EpisodeRecord) => number) => records.reduce((acc, r) => acc + f(r), 0);
  const timeMs = sum((r) => r.duration_ms);
  const tokens = sum((r) => r.prompt_tokens + r.completion_tokens);
  return {
    run,
    episodes: overall.count,
    correct: overall.correct,
    accuracy: overall.accuracy,
    failed: failed.length,
    failures: failed.map((r) => ({ question_id: r.question_id, error: r.error ?? '' })),
    by_difficulty: [...groupBy(records, (r) => r.difficulty)]
      .sort(([a], [b]) => difficultyRank(a) - difficultyRank(b) || a.localeCompare(b))
      .map(([difficulty, group]) => ({ difficulty, ...accuracyRow(group) })),
    turns: [...groupBy(records, (r) => r.turns)].sort(([a], [b]) => a - b).map(([turn, group]) => ({ turn, ...accuracyRow(group) })),
    error_classes: errorClasses(records),
    arms: arms(records),
    cost: {
      model_calls: sum((r) => r.model_calls),
      server_model_calls: sum((r) => r.server_model_calls),
      prompt_tokens: sum((r) => r.prompt_tokens),
      completion_tokens: sum((r) => r.completion_tokens),
      tokens_per_episode: ratio(tokens, records.length),
      time_ms: timeMs,
      ms_per_episode: ratio(timeMs, records.length),
      p50_ms: percentile(durations, 50),
      p95_ms: percentile(durations, 95),
    },
  };
}
