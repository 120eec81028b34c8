import fs from 'node:fs';
import path from 'node:path';
import { openSession, type Agent, type Transport } from '../agents/index.js';
import { recordOfFailure, recordOfTrace, type EpisodeRecord, type QuestionRef } from './episode-record.js';
import { buildReport, type EvalReport, type EvalRunInfo } from './eval-report.js';
import { appendJsonLine, latestByQuestion, readEpisodeRecords } from './jsonl-file.js';
import { createProgress, type ProgressStream } from './progress.js';
import { fetchQuestions, sampleQuestions, taskIdsOf } from './questions.js';
import { renderReportMarkdown } from './report-markdown.js';
import { trajectoryLines } from './trajectories.js';

export interface RunEvalOptions {
  agent: Agent;
  baseUrl: string;
  token?: string;
  transport: Transport;
  timeoutMs: number;
  dataset: string;
  seed: number;
  limit?: number;
  concurrency: number;
  outDir: string;
  trajectoriesFile?: string;
  only?: RegExp;
  run: EvalRunInfo;
  stderr: ProgressStream;
  /** Aborting stops new episodes and cancels running ones; finished episodes stay in episodes.jsonl. */
  signal?: AbortSignal;
}

export interface EvalOutcome {
  report: EvalReport;
  /** Episodes run (and written) by this call. */
  ran: number;
  /** Questions skipped because episodes.jsonl already had them. */
  skipped: number;
  isInterrupted: boolean;
  files: { report: string; reportJson: string; episodes: string };
}

export const EPISODES_FILE = 'episodes.jsonl';

function checkResumable(records: EpisodeRecord[], options: RunEvalOptions, file: string): void {
  const other = records.find((r) => r.agent !== options.run.agent || r.seed !== options.seed);
  if (other !== undefined) {
    throw new Error(`${file} holds episodes of agent '${other.agent}' with seed ${other.seed}; choose another --out for agent '${options.run.agent}' with seed ${options.seed}`);
  }
}

async function runOne(question: QuestionRef, options: RunEvalOptions): Promise<EpisodeRecord | undefined> {
  const startedMs = performance.now();
  const meta = () => ({ question, agent: options.run.agent, seed: options.seed, durationMs: performance.now() - startedMs });
  let session;
  try {
    session = await openSession({ baseUrl: options.baseUrl, token: options.token, transport: options.transport, timeoutMs: options.timeoutMs });
    const trace = await options.agent.run(session, { reset: { task_id: question.task_id, question_id: question.question_id }, signal: options.signal });
    const record = recordOfTrace(trace, meta());
    if (options.trajectoriesFile !== undefined) {
      for (const line of trajectoryLines(trace, record, options.only)) appendJsonLine(options.trajectoriesFile, line);
    }
    return record;
  } catch (err) {
    if (options.signal?.aborted === true) return undefined;
    return recordOfFailure(err, meta());
  } finally {
    await session?.close().catch(() => undefined);
  }
}

/**
 * Runs the agent over the dataset's questions (the seed's order, first `limit`), skipping those episodes.jsonl
 * already holds, appending each finished episode as it finishes, then writes report.json and report.md from the file.
 */
export async function runEval(options: RunEvalOptions): Promise<EvalOutcome> {
  const episodesFile = path.join(options.outDir, EPISODES_FILE);
  const questions = sampleQuestions(await fetchQuestions(options.baseUrl, taskIdsOf(options.dataset), options.token), options.seed, options.limit);
  const existing = readEpisodeRecords(episodesFile);
  checkResumable(existing, options, episodesFile);
  const finished = new Set(latestByQuestion(existing).filter((r) => r.status === 'ok').map((r) => r.question_id));
  const todo = questions.filter((q) => !finished.has(q.question_id));
  fs.mkdirSync(options.outDir, { recursive: true });
  if (todo.length < questions.length) options.stderr.write(`resuming: ${questions.length - todo.length} of ${questions.length} episodes already in ${episodesFile}\n`);

  const progress = createProgress({ total: todo.length, stream: options.stderr });
  let next = 0;
  let ran = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length && options.signal?.aborted !== true) {
      const question = todo[next++] as QuestionRef;
      const record = await runOne(question, options);
      if (record === undefined) continue;
      appendJsonLine(episodesFile, record);
      ran++;
      progress.tick(record.success);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(1, todo.length)) }, worker));
  progress.finish();

  const selected = new Set(questions.map((q) => q.question_id));
  const records = latestByQuestion(readEpisodeRecords(episodesFile)).filter((r) => selected.has(r.question_id));
  const report = buildReport(records, options.run);
  const files = { report: path.join(options.outDir, 'report.md'), reportJson: path.join(options.outDir, 'report.json'), episodes: episodesFile };
  fs.writeFileSync(files.reportJson, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(files.report, renderReportMarkdown(report));
  return { report, ran, skipped: questions.length - todo.length, isInterrupted: options.signal?.aborted === true, files };
}
