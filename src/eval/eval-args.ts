import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AGENT_NAMES } from '../agents/index.js';

export const EVAL_USAGE = `Usage: npm run eval -- --agent NAME [options]

  --agent NAME          ${AGENT_NAMES.join(' | ')}
  --dataset DIR|builtin a Spider-format directory (questions.json, tables.json, database/) or the built-in tasks (default)
  --server URL          a running server; without it an in-process server is started (DATASET_DIR=DIR)
  --limit N             evaluate the first N questions of the seed's order (default: all)
  --concurrency N       episodes at a time (default 1; above 1 the bandit's updates interleave)
  --seed S              question order (default 0)
  --out DIR             report.md, report.json, episodes.jsonl (default eval-runs/<agent>-<dataset>-seed<S>)
  --trajectories FILE   append every model call as a chat JSON line (docs/trajectories.md)
  --only REGEX          keep the calls whose role matches, e.g. 'write' (write and rewrite calls)
  --transport http|ws   how episodes reach the server (default http)
  --sql-source server|agent  bandit-repair: the server's model writes the SQL (default), or the agent's own model
  --max-turns N         check-rewrite: writes plus rewrites (default 3)
  --max-attempts N      bandit-repair: attempts (default 5)
  --temperature T       the agent model's temperature (default 0)
  --timeout-ms N        per request to the server (default 300000)

The agent's own model comes from LLM_BASE_URL / LLM_API_KEY / LLM_MODEL or MODEL_DIR, as for the server.`;

const intArg = (min: number) => z.coerce.number().int().min(min);

export const EvalArgsSchema = z.object({
  agent: z.enum(AGENT_NAMES),
  dataset: z.string().min(1).default('builtin'),
  server: z.url().optional(),
  limit: intArg(1).optional(),
  concurrency: intArg(1).max(64).default(1),
  seed: intArg(0).default(0),
  out: z.string().min(1).optional(),
  trajectories: z.string().min(1).optional(),
  only: z.string().min(1).optional(),
  transport: z.enum(['http', 'ws']).default('http'),
  sqlSource: z.enum(['server', 'agent']).default('server'),
  maxTurns: intArg(1).max(20).default(3),
  maxAttempts: intArg(1).max(50).default(5),
  temperature: z.coerce.number().min(0).max(2).default(0),
  timeoutMs: intArg(1000).default(300_000),
});
export type EvalArgs = z.infer<typeof EvalArgsSchema> & { out: string };

/** Thrown for bad command-line arguments; the message is meant for the user, with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses the eval command line. Throws UsageError naming every bad argument. */
export function parseEvalArgs(argv: string[]): EvalArgs | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        agent: { type: 'string' },
        dataset: { type: 'string' },
        server: { type: 'string' },
        limit: { type: 'string' },
        concurrency: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        trajectories: { type: 'string' },
        only: { type: 'string' },
        transport: { type: 'string' },
        'sql-source': { type: 'string' },
        'max-turns': { type: 'string' },
        'max-attempts': { type: 'string' },
        temperature: { type: 'string' },
        'timeout-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help === true) return 'help';
  const camel = Object.fromEntries(Object.entries(values).map(([k, v]) => [k.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()), v]));
  const parsed = EvalArgsSchema.safeParse(camel);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `--${String(i.path[0] ?? '?').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`).join('\n'));
  }
  if (parsed.data.only !== undefined) {
    try {
      new RegExp(parsed.data.only);
    } catch (err) {
      throw new UsageError(`--only: ${(err as Error).message}`);
    }
  }
  const datasetName = parsed.data.dataset === 'builtin' ? 'builtin' : path.basename(path.resolve(parsed.data.dataset));
  const out = parsed.data.out ?? path.join('eval-runs', `${parsed.data.agent}-${datasetName}-seed${parsed.data.seed}`);
  return { ...parsed.data, out: path.resolve(out) };
}
