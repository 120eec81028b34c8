/**
 * `npm run eval -- --agent NAME [--dataset DIR|builtin] [--server URL] [--limit N] [--concurrency N] [--seed S]
 * [--out DIR] [--trajectories FILE [--only REGEX]]` — runs a reference agent over a dataset and writes report.md,
 * report.json and episodes.jsonl (docs/eval.md). Ctrl-C keeps the finished episodes; rerunning resumes.
 */
import { loadConfig, type Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { EVAL_USAGE, parseEvalArgs, UsageError } from '../eval/eval-args.js';
import { runEvalCommand } from '../eval/eval-command.js';
import { createLogger } from '../logger.js';
import { startInProcessServer } from './eval-server.js';

function fail(message: string, code: number): void {
  process.stderr.write(`eval: ${message}\n`);
  process.exitCode = code;
}

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return;
  }
  const config: Config = loadConfig();
  const log = createLogger(config.log, process.stderr);
  // why: the in-process server logs every request at info, which would break the progress line.
  const serverLevel = ['debug', 'trace'].includes(config.log.level) ? config.log.level : 'warn';
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\neval: interrupted; finishing the report from the episodes already done (Ctrl-C again to quit now)\n');
    controller.abort(new Error('interrupted'));
    process.once('SIGINT', () => process.exit(130));
  });
  const outcome = await runEvalCommand(args, {
    config,
    log,
    stderr: process.stderr,
    signal: controller.signal,
    startServer: (serverConfig) => startInProcessServer(serverConfig, log.child({ mod: 'eval.server' }, { level: serverLevel })),
  });
  const { report } = outcome;
  process.stdout.write(
    `${report.run.agent} on ${report.run.dataset}: ${report.correct}/${report.episodes} correct (${(100 * report.accuracy).toFixed(1)}%)` +
      `, ${outcome.ran} run now, ${outcome.skipped} resumed${report.failed > 0 ? `, ${report.failed} failed to run` : ''}\n` +
      `report: ${outcome.files.report}\n`,
  );
  if (outcome.isInterrupted) process.exitCode = 130;
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) fail(`${err.message}\n\n${EVAL_USAGE}`, 2);
  else if (err instanceof ConfigError) fail(err.message, 1);
  else fail(err instanceof Error ? err.message : String(err), 1);
});
