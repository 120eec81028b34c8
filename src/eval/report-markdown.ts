import type { AccuracyRow, EvalReport } from './eval-report.js';

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A markdown table; the first column is left-aligned, the others right-aligned when `isNumeric`. */
function table(head: string[], rows: (string | number)[][], isNumeric = true): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 || !isNumeric ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function accuracyCells(row: AccuracyRow): (string | number)[] {
  return [row.count, row.correct, pct(row.accuracy)];
}

function modelText(report: EvalReport): string {
  const m = report.run.model;
  const own = m === null ? 'none (the server model writes the SQL)' : `${m.model} (${m.backend}, ${m.device})`;
  return report.run.sql_source === 'server' ? `server model (sql_source=server)` : own;
}

/** report.md: the same figures as report.json, as tables. */
export function renderReportMarkdown(report: EvalReport): string {
  const { run, cost } = report;
  const perEpisode = (n: number) => (report.episodes === 0 ? '0' : (n / report.episodes).toFixed(1));
  const parts = [
    `# Evaluation: ${run.agent} on ${run.dataset}`,
    table(
      ['setting', 'value'],
      [
        ['agent', run.agent],
        ['dataset', run.dataset],
        ['server', run.server],
        ['transport', run.transport],
        ['model', modelText(report)],
        ['seed', run.seed],
        ['limit', run.limit ?? 'all'],
        ['episodes', `${report.episodes}${report.failed > 0 ? ` (+${report.failed} failed to run)` : ''}`],
      ],
      false,
    ),
    `## Execution accuracy\n\n**${report.correct} / ${report.episodes} = ${pct(report.accuracy)}**`,
    table(['hardness', 'episodes', 'correct', 'accuracy'], [...report.by_difficulty.map((r) => [r.difficulty, ...accuracyCells(r)]), ['**all**', ...accuracyCells({ count: report.episodes, correct: report.correct, accuracy: report.accuracy })]]),
    `## Turns\n\nEpisodes by the attempt they ended at, and their accuracy.`,
    table(['ended at turn', 'episodes', 'correct', 'accuracy'], report.turns.map((r) => [r.turn, ...accuracyCells(r)])),
    `## Error classes\n\nOver every attempt; "final" counts the episodes whose last attempt had the class.`,
    report.error_classes.length === 0 ? '_none_' : table(['error class', 'attempts', 'final'], report.error_classes.map((e) => [e.error_class, e.attempts, e.final])),
    `## Arms\n\nThe repair action of each attempt ('generate' for a first write or agent-written SQL).`,
    table(['arm', 'attempts', 'successes', 'success rate'], report.arms.map((a) => [a.arm, a.attempts, a.successes, pct(a.success_rate)])),
    `## Cost`,
    table(
      ['', 'per episode', 'total'],
      [
        ['agent model calls', perEpisode(cost.model_calls), cost.model_calls],
        ['server model calls', perEpisode(cost.server_model_calls), cost.server_model_calls],
        ['prompt tokens (agent)', perEpisode(cost.prompt_tokens), cost.prompt_tokens],
        ['completion tokens (agent)', perEpisode(cost.completion_tokens), cost.completion_tokens],
        ['time', seconds(cost.ms_per_episode), seconds(cost.time_ms)],
      ],
    ),
    `Episode time: p50 ${seconds(cost.p50_ms)}, p95 ${seconds(cost.p95_ms)}.${cost.server_model_calls > 0 ? " The API does not report the server model's tokens." : ''}`,
  ];
  if (report.failures.length > 0) {
    const rows = report.failures.map((f) => [f.question_id, f.error.replaceAll('|', '\\|').replaceAll('\n', ' ')]);
    parts.push(`## Episodes that failed to run\n\nA resumed run retries them.`, table(['question', 'error'], rows, false));
  }
  return `${parts.join('\n\n')}\n`;
}
