import path from 'node:path';
import { createAgent, needsOwnModel } from '../agents/index.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createBackend, type LlmBackend } from '../model/index.js';
import type { EvalArgs } from './eval-args.js';
import type { EvalRunInfo } from './eval-report.js';
import type { ProgressStream } from './progress.js';
import { runEval, type EvalOutcome } from './run-eval.js';

/** A server the command started for itself (the CLI builds it with composeService). */
export interface StartedServer {
  baseUrl: string;
  close(): Promise<void>;
}

export interface EvalCommandDeps {
  config: Config;
  log: Logger;
  stderr: ProgressStream;
  signal?: AbortSignal;
  /** The agent's model; default: createBackend(config.model). Tests pass a scripted one. */
  backend?: LlmBackend;
  /** Starts an in-process server with this config when there is no --server. */
  startServer?: (config: Config) => Promise<StartedServer>;
}

/**
 * The config of the in-process server: the dataset, a private DATA_DIR under the output directory (its own demo
 * database and policy store, kept between resumed runs), 127.0.0.1 on a free port, and a model only when the
 * server's model writes the SQL.
 */
export function inProcessServerConfig(config: Config, args: EvalArgs, isServerModel: boolean): Config {
  return {
    ...config,
    datasetDir: args.dataset === 'builtin' ? config.datasetDir : path.resolve(args.dataset),
    dataDir: path.join(args.out, 'server-data'),
    server: { ...config.server, port: 0, host: '127.0.0.1' },
    model: isServerModel ? config.model : { ...config.model, backend: 'none' },
  };
}

async function resolveServer(args: EvalArgs, deps: EvalCommandDeps, isServerModel: boolean): Promise<StartedServer> {
  if (args.server !== undefined) return { baseUrl: args.server, close: () => Promise.resolve() };
  if (deps.startServer === undefined) throw new Error('no --server given and no in-process server available');
  if (isServerModel && deps.config.model.backend === 'none') {
    throw new Error("bandit-repair with --sql-source server needs a model on the server: set MODEL_DIR or LLM_BASE_URL/LLM_API_KEY");
  }
  return deps.startServer(inProcessServerConfig(deps.config, args, isServerModel));
}

/** Runs `npm run eval` for parsed arguments: model, server (given or in-process), agent, evaluation, clean-up. */
export async function runEvalCommand(args: EvalArgs, deps: EvalCommandDeps): Promise<EvalOutcome> {
  const isOwnModel = needsOwnModel(args.agent, args.sqlSource);
  const ownedBackend = isOwnModel && deps.backend === undefined ? await createBackend(deps.config.model, deps.log.child({ mod: 'eval.model' })) : undefined;
  const backend = isOwnModel ? (deps.backend ?? ownedBackend) : undefined;
  let server: StartedServer | undefined;
  try {
    const agent = createAgent(args.agent, {
      model: backend === undefined ? undefined : { backend, chatOptions: { temperature: args.temperature, seed: args.seed } },
      sqlSource: args.sqlSource,
      maxTurns: args.maxTurns,
      maxAttempts: args.maxAttempts,
    });
    server = await resolveServer(args, deps, !isOwnModel);
    const run: EvalRunInfo = {
      agent: args.agent,
      dataset: args.dataset === 'builtin' ? 'builtin' : path.basename(path.resolve(args.dataset)),
      server: args.server ?? 'in-process',
      transport: args.transport,
      seed: args.seed,
      limit: args.limit ?? null,
      sql_source: args.agent === 'bandit-repair' ? args.sqlSource : null,
      model: backend?.describe() ?? null,
    };
    return await runEval({
      agent,
      baseUrl: server.baseUrl,
      token: deps.config.server.apiToken,
      transport: args.transport,
      timeoutMs: args.timeoutMs,
      dataset: args.dataset,
      seed: args.seed,
      limit: args.limit,
      concurrency: args.concurrency,
      outDir: args.out,
      trajectoriesFile: args.trajectories === undefined ? undefined : path.resolve(args.trajectories),
      only: args.only === undefined ? undefined : new RegExp(args.only),
      run,
      stderr: deps.stderr,
      signal: deps.signal,
    });
  } finally {
    await server?.close();
    await ownedBackend?.close();
  }
}
