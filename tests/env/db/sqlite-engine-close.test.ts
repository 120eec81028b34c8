import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../helpers/tmp-dir.js';

const ROOT = path.join(import.meta.dirname, '..', '..', '..');

/** Gone, or a zombie: an orphan's new parent (the container's init) may never reap it. */
function hasExited(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

/** Runs a script that builds an SQLite engine (two workers, logs off) and then runs `body`; waits for its stdio to close. */
function runEngineScript(body: string[]) {
  const script = path.join(tmpDir('sre-engine-script-'), 'script.mts');
  fs.writeFileSync(
    script,
    [
      `import { createSqliteEngine } from ${JSON.stringify(path.join(ROOT, 'src/env/db/sqlite-engine.ts'))};`,
      `import { loadConfig } from ${JSON.stringify(path.join(ROOT, 'src/config.ts'))};`,
      `import { createLogger } from ${JSON.stringify(path.join(ROOT, 'src/logger.ts'))};`,
      "const config = loadConfig({ LOG_LEVEL: 'silent', SQL_WORKERS: '2' });",
      'const engine = createSqliteEngine(config.sql, createLogger(config.log), {});',
      ...body,
    ].join('\n'),
  );
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const lastLine = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  return { run, lastLine };
}

describe('SqliteEngine.close() in a plain script', () => {
  it('resolves and lets the process exit normally once the workers are gone', () => {
    const { run, lastLine } = runEngineScript(['await engine.warmUp();', 'const pids = engine.workerPids();', 'await engine.close();', 'console.log(JSON.stringify({ closed: true, pids }));']);
    expect(run.status).toBe(0);
    const out = lastLine as { closed: boolean; pids: number[] };
    expect(out.closed).toBe(true);
    expect(out.pids).toHaveLength(2);
    for (const pid of out.pids) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('leaves no error trace when the server exits while its workers are still starting', () => {
    // why stderr can be checked: the orphaned workers inherit it, so spawnSync returns only once they have exited too.
    const { run, lastLine } = runEngineScript(['void engine.warmUp();', 'console.log(JSON.stringify({ pids: engine.workerPids() }));', 'process.exit(0);']);
    expect(run.status).toBe(0);
    const { pids } = lastLine as { pids: number[] };
    expect(pids).toHaveLength(2);
    expect(run.stderr).not.toMatch(/ERR_IPC_CHANNEL_CLOSED|Unhandled|Error/);
    for (const pid of pids) expect(hasExited(pid)).toBe(true);
  });
});
