import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERDICT_INCORRECT } from '../../src/agents/index.js';
import { startInProcessServer } from '../../src/cli/eval-server.js';
import { goldFor } from '../../src/env/index.js';
import { builtinTasks } from '../../src/env/tasks/builtin-tasks.js';
import { parseEvalArgs, type EvalArgs } from '../../src/eval/eval-args.js';
import { runEvalCommand, type EvalCommandDeps } from '../../src/eval/eval-command.js';
import type { EvalReport } from '../../src/eval/eval-report.js';
import type { ChatMessage } from '../../src/model/index.js';
import { silentLogger } from '../helpers/logs.js';
import { ScriptedBackend } from '../helpers/scripted-backend.js';
import { startTestService } from '../helpers/server.js';
import { describeSpider, SPIDER_DIR } from '../helpers/spider.js';
import { testConfig } from '../helpers/test-config.js';
import { tinyModelDir } from '../helpers/tiny-model.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const CLI = path.join(import.meta.dirname, '../../src/cli/eval.ts');
const exec = promisify(execFile);
const dir = tmpDir('sre-eval-');
const GOLD = new Map(builtinTasks().flatMap((t) => t.questions.map((q) => [q.question, goldFor(q, 'sqlite') ?? ''] as const)));

function args(argv: string[]): EvalArgs {
  const parsed = parseEvalArgs(argv);
  if (parsed === 'help') throw new Error('unexpected help');
  return parsed;
}

function readLines<T>(file: string): T[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);
}

const TASK_OF = new Map(builtinTasks().flatMap((t) => t.questions.map((q) => [q.question, t.id] as const)));

/** Right at once on simple_queries, right on the rewrite for join_queries, never right on complex_analytics. */
function oracleScript(messages: ChatMessage[]): string {
  const system = messages[0]?.content ?? '';
  if (system.startsWith('You are a SQL expert')) return `Check it again.\n${VERDICT_INCORRECT}`;
  const question = /Question: (.*)/.exec(messages.at(-1)?.content ?? '')?.[1] ?? '';
  const task = TASK_OF.get(question);
  const isRight = task === 'simple_queries' || (task === 'join_queries' && system.includes('Rewrite the previous'));
  return `\`\`\`sqlite\n${isRight ? (GOLD.get(question) ?? '') : 'SELECT 1 AS n'}\n\`\`\``;
}

function deps(backend: ScriptedBackend, extra: Partial<EvalCommandDeps> = {}): EvalCommandDeps {
  return {
    config: testConfig({ SQL_WORKERS: '2' }),
    log: silentLogger(),
    stderr: { write: () => true },
    backend,
    startServer: (config) => startInProcessServer(config, silentLogger()),
    ...extra,
  };
}

type Episode = { question_id: string; task_id: string; success: boolean; turns: number; steps: { sql: string; arm: string }[]; episode_id: string; duration_ms: number };

describe('npm run eval over an in-process server (scripted agent model)', () => {
  const out = path.join(dir, 'builtin-cr');
  const trajectories = path.join(dir, 'trajectories.jsonl');
  let report: EvalReport;
  let episodes: Episode[];

  beforeAll(async () => {
    const backend = new ScriptedBackend(oracleScript);
    const outcome = await runEvalCommand(args(['--agent', 'check-rewrite', '--limit', '9', '--seed', '3', '--out', out, '--trajectories', trajectories, '--only', 'write']), deps(backend));
    report = outcome.report;
    episodes = readLines<Episode>(path.join(out, 'episodes.jsonl'));
    expect(outcome).toMatchObject({ ran: 9, skipped: 0, isInterrupted: false });
  });

  it('writes one episode per question and a report whose accuracy, hardness and turn tables match them', () => {
    expect(episodes).toHaveLength(9);
    expect(new Set(episodes.map((e) => e.question_id)).size).toBe(9);
    for (const e of episodes) {
      const expected = e.task_id === 'simple_queries' ? [true, 1] : e.task_id === 'join_queries' ? [true, 2] : [false, 3];
      expect([e.success, e.turns]).toEqual(expected);
    }
    const count = (task: string) => episodes.filter((e) => e.task_id === task).length;
    expect(report).toMatchObject({ episodes: 9, correct: count('simple_queries') + count('join_queries'), failed: 0 });
    expect(report.by_difficulty.map((r) => [r.difficulty, r.count])).toEqual(
      [['easy', count('simple_queries')], ['medium', count('join_queries')], ['hard', count('complex_analytics')]].filter(([, n]) => n !== 0),
    );
    expect(report.turns.filter((t) => t.count > 0).map((t) => [t.turn, t.count, t.accuracy])).toEqual(
      [[1, count('simple_queries'), 1], [2, count('join_queries'), 1], [3, count('complex_analytics'), 0]].filter(([, n]) => n !== 0),
    );
    expect(report.arms).toEqual([expect.objectContaining({ arm: 'generate', successes: report.correct })]);
    expect(report.cost.model_calls).toBe(episodes.reduce((n, e) => n + 2 * e.turns - 1, 0));
    expect(report.cost.prompt_tokens).toBeGreaterThan(0);
  });

  it('writes report.md with the accuracy, hardness, turn, error-class, arm and cost tables', () => {
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('# Evaluation: check-rewrite on builtin');
    expect(md).toContain(`**${report.correct} / 9 = ${((100 * report.correct) / 9).toFixed(1)}%**`);
    for (const heading of ['## Turns', '## Error classes', '## Arms', '## Cost']) expect(md).toContain(heading);
    expect(md).toMatch(/\| WRONG_RESULT \| \d+ \| \d+ \|/);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'))).toEqual(report);
  });

  it('writes the write and rewrite calls as chat trajectories with the episode rewards', () => {
    const lines = readLines<{ messages: ChatMessage[]; role: string; reward: number; final_reward: number; step_reward: number; step_rewards: number[]; question_id: string; turn: number }>(trajectories);
    expect(lines.length).toBe(episodes.reduce((n, e) => n + e.turns, 0));
    expect(new Set(lines.map((l) => l.role))).toEqual(new Set(['write', 'rewrite']));
    for (const line of lines) {
      expect(line.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
      expect(line.reward).toBe(line.final_reward);
      expect(line.step_reward).toBe(line.step_rewards[line.turn - 1]);
    }
  });

  it('gives the same episodes for the same seed (also run 3 at a time), and another sample for another seed', async () => {
    const again = path.join(dir, 'builtin-cr-again');
    const outcome = await runEvalCommand(args(['--agent', 'check-rewrite', '--limit', '9', '--seed', '3', '--concurrency', '3', '--out', again]), deps(new ScriptedBackend(oracleScript)));
    const strip = (list: Episode[]) =>
      list.map(({ episode_id: _id, duration_ms: _ms, ...rest }) => rest).sort((a, b) => a.question_id.localeCompare(b.question_id));
    expect(strip(readLines<Episode>(path.join(again, 'episodes.jsonl')))).toEqual(strip(episodes));
    expect({ ...outcome.report, cost: null }).toEqual({ ...report, cost: null });
    const other = path.join(dir, 'builtin-cr-seed4');
    await runEvalCommand(args(['--agent', 'direct', '--limit', '9', '--seed', '4', '--out', other]), deps(new ScriptedBackend(oracleScript)));
    expect(readLines<Episode>(path.join(other, 'episodes.jsonl')).map((e) => e.question_id)).not.toEqual(episodes.map((e) => e.question_id));
  });

  it('refuses to resume into a directory holding another agent’s episodes', async () => {
    await expect(runEvalCommand(args(['--agent', 'direct', '--limit', '2', '--seed', '3', '--out', out]), deps(new ScriptedBackend(oracleScript)))).rejects.toThrow(/choose another --out/);
  });
});

describe('interrupting and resuming', () => {
  it('keeps the episodes finished before the interrupt, and a rerun runs only the rest', async () => {
    const out = path.join(dir, 'interrupted');
    const controller = new AbortController();
    const interrupting = new ScriptedBackend((messages, i) => {
      if (i === 2) {
        controller.abort(new Error('interrupted'));
        throw controller.signal.reason as Error;
      }
      return oracleScript(messages);
    });
    const first = await runEvalCommand(args(['--agent', 'direct', '--limit', '5', '--out', out]), deps(interrupting, { signal: controller.signal }));
    expect(first).toMatchObject({ ran: 2, isInterrupted: true, report: { episodes: 2, failed: 0 } });
    const before = fs.readFileSync(path.join(out, 'episodes.jsonl'), 'utf8');

    const resumed = new ScriptedBackend(oracleScript);
    const second = await runEvalCommand(args(['--agent', 'direct', '--limit', '5', '--out', out]), deps(resumed));
    expect(second).toMatchObject({ ran: 3, skipped: 2, isInterrupted: false, report: { episodes: 5 } });
    expect(resumed.calls).toHaveLength(3);
    expect(fs.readFileSync(path.join(out, 'episodes.jsonl'), 'utf8').startsWith(before)).toBe(true);
  });

  it('records an episode whose model call fails as failed-to-run, and retries it on resume', async () => {
    const out = path.join(dir, 'flaky');
    const flaky = new ScriptedBackend((messages, i) => {
      if (i === 0) throw new Error('model endpoint down');
      return oracleScript(messages);
    });
    const first = await runEvalCommand(args(['--agent', 'direct', '--limit', '3', '--out', out]), deps(flaky));
    expect(first.report).toMatchObject({ episodes: 2, failed: 1, failures: [{ error: 'model endpoint down' }] });
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('## Episodes that failed to run');
    const second = await runEvalCommand(args(['--agent', 'direct', '--limit', '3', '--out', out]), deps(new ScriptedBackend(oracleScript)));
    expect(second).toMatchObject({ ran: 1, skipped: 2, report: { episodes: 3, failed: 0 } });
  });
});

describeSpider('npm run eval end to end: tiny local model on the server, Spider train questions', () => {
  const SCRIPT = 'SELECT count(*) FROM head WHERE age > 56';
  let baseUrl = '';
  beforeAll(async () => {
    const model = tinyModelDir({ script: `\`\`\`sqlite\n${SCRIPT}\n\`\`\`` }, 'eval-spider');
    const svc = await startTestService({ DATASET_DIR: SPIDER_DIR, MODEL_DIR: model.dir, MODEL_DEVICE: 'cpu', MAX_ATTEMPTS: '2', SCHEMA_INFO_MAX_CHARS: '1000' });
    baseUrl = svc.baseUrl;
  });

  it('evaluates bandit-repair through a real server, then resumes with a bigger limit running only the new questions', async () => {
    const out = path.join(dir, 'spider');
    const base = ['--agent', 'bandit-repair', '--dataset', SPIDER_DIR, '--server', baseUrl, '--out', out, '--seed', '11'];
    const first = await runEvalCommand(args([...base, '--limit', '5']), deps(new ScriptedBackend([])));
    expect(first).toMatchObject({ ran: 5, skipped: 0 });
    const episodes = readLines<Episode & { db_id: string; difficulty: string; final_sql: string }>(path.join(out, 'episodes.jsonl'));
    expect(episodes).toHaveLength(5);
    for (const e of episodes) {
      expect(e.question_id).toMatch(/^spider-train\/\d{4}$/);
      expect(['easy', 'medium', 'hard', 'extra']).toContain(e.difficulty);
      expect(e.steps[0]).toMatchObject({ arm: 'generate', sql: SCRIPT });
      expect(e.turns).toBe(e.success ? 1 : 2);
    }
    const report = first.report;
    expect(report.run).toMatchObject({ agent: 'bandit-repair', dataset: 'spider-train', sql_source: 'server', server: baseUrl });
    expect(report.by_difficulty.reduce((n, r) => n + r.count, 0)).toBe(5);
    expect(report.arms.find((a) => a.arm === 'generate')?.attempts).toBe(5);
    expect(report.cost.server_model_calls).toBe(episodes.reduce((n, e) => n + e.turns, 0));
    expect(report.error_classes.length).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/\| generate \| 5 \|/);

    const before = fs.readFileSync(path.join(out, 'episodes.jsonl'), 'utf8');
    const second = await runEvalCommand(args([...base, '--limit', '7']), deps(new ScriptedBackend([])));
    expect(second).toMatchObject({ ran: 2, skipped: 5, report: { episodes: 7 } });
    const after = fs.readFileSync(path.join(out, 'episodes.jsonl'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.trim().split('\n')).toHaveLength(7);
  }, 180_000);
});

describe('the eval command line', () => {
  const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', SQL_WORKERS: '1', ...extra });

  it('runs bandit-repair with an in-process server whose model comes from MODEL_DIR', async () => {
    const out = path.join(dir, 'cli');
    const model = tinyModelDir({ script: 'SELECT 1' }, 'eval-cli');
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', CLI, '--agent', 'bandit-repair', '--limit', '1', '--out', out], {
      env: env({ MODEL_DIR: model.dir, MODEL_DEVICE: 'cpu', MAX_ATTEMPTS: '1', SCHEMA_INFO_MAX_CHARS: '800' }),
    });
    expect(stdout).toMatch(/^bandit-repair on builtin: 0\/1 correct \(0\.0%\), 1 run now, 0 resumed\nreport: .*report\.md\n$/);
    expect(stderr).toContain('1/1 100%');
    expect(fs.existsSync(path.join(out, 'server-data'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'))).toMatchObject({ episodes: 1, run: { server: 'in-process' } });
  }, 60_000);

  it('exits 2 with the usage for bad arguments and 1 when the agent has no model', async () => {
    const bad = await exec(process.execPath, ['--import', 'tsx', CLI, '--agent', 'direct', '--limit', '0'], { env: env({}) }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/--limit: [\s\S]*Usage: npm run eval/) as unknown });
    const noModel = await exec(process.execPath, ['--import', 'tsx', CLI, '--agent', 'direct', '--out', path.join(dir, 'none')], { env: env({}) }).catch((e: unknown) => e);
    expect(noModel).toMatchObject({ code: 1, stderr: expect.stringContaining("agent 'direct' needs a model") as unknown });
  }, 30_000);
});
