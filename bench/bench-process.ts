/** What bench:server and bench:hostile share: the episode they play, their arguments, the server process, statistics. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { WsEnvClient } from '../src/client/index.js';
import { builtinGold } from '../tests/helpers/builtin-gold.js';

export const ROOT = path.join(import.meta.dirname, '..');

/** The benchmarks' episode: a demo-database question, then its steps. */
export const QUESTION = 'simple_queries/01';
/** Four wrong-but-valid attempts, then the gold: every step executes, is graded, and the first four get a repair decision. */
export const STEPS = ['SELECT COUNT(*) FROM customers WHERE 1 = 0', 'SELECT COUNT(*) FROM orders', 'SELECT COUNT(*) + 1 FROM customers', 'SELECT COUNT(DISTINCT country) FROM customers', builtinGold(QUESTION)];

/** One bench episode over `client`: each step's latency (send → reply) goes into `latenciesMs`; returns the failed steps. */
export async function playEpisode(client: WsEnvClient, latenciesMs: number[]): Promise<number> {
  let errors = 0;
  await client.reset({ task_id: 'simple_queries', question_id: QUESTION });
  for (const sql of STEPS) {
    const t0 = performance.now();
    try {
      await client.step({ custom_sql: sql });
    } catch {
      errors += 1;
    }
    latenciesMs.push(performance.now() - t0);
  }
  return errors;
}

/** `--name value` pairs of the command line. */
export function benchArgs(): Map<string, string> {
  return new Map(process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a, all[i + 1] ?? ''] as [string, string]] : [])));
}

/** Starts `node <script>` and resolves with the port it prints (the server's pino "listening" line, or `ECHO <port>`). */
export function startProcess(script: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, script, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const port = /"port":(\d+)/.exec(line)?.[1] ?? /^ECHO (\d+)$/.exec(line)?.[1];
      if (port !== undefined) resolve({ child, port: Number(port) });
    });
    child.once('exit', (code) => reject(new Error(`process exited with ${code}`)));
  });
}

/** The compiled server when `npm run build` has run, else the sources through tsx. */
export function serverScript(): { args: string[]; isBuilt: boolean } {
  const isBuilt = fs.existsSync(path.join(ROOT, 'dist', 'main.js'));
  return { args: isBuilt ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts'], isBuilt };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2 : (sorted[Math.floor(mid)] ?? NaN);
}
