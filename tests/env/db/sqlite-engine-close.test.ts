import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../helpers/tmp-dir.js';

const ROOT = path.join(import.meta.dirname, '..', '..', '..');

describe('SqliteEngine.close() in a plain script', () => {
  it('resolves and lets the process exit normally once the workers are gone', () => {
    const script = path.join(tmpDir('sre-close-'), 'close.mts');
    fs.writeFileSync(
      script,
      [
        `import { createSqliteEngine } from ${JSON.stringify(path.join(ROOT, 'src/env/db/sqlite-engine.ts'))};`,
        `import { loadConfig } from ${JSON.stringify(path.join(ROOT, 'src/config.ts'))};`,
        `import { createLogger } from ${JSON.stringify(path.join(ROOT, 'src/logger.ts'))};`,
        "const config = loadConfig({ LOG_LEVEL: 'silent', SQL_WORKERS: '2' });",
        'const engine = createSqliteEngine(config.sql, createLogger(config.log), {});',
        'await engine.warmUp();',
        'const pids = engine.workerPids();',
        'await engine.close();',
        "console.log(JSON.stringify({ closed: true, pids }));",
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { closed: boolean; pids: number[] };
    expect(out.closed).toBe(true);
    expect(out.pids).toHaveLength(2);
    for (const pid of out.pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
