/**
 * Compiles native/sqlite-deadline.c into build/sqlite-deadline.so (run by `npm install`/`npm ci` as postinstall and
 * by `npm run build`). It is built against the SQLite headers better-sqlite3 ships. Without a C compiler it says so
 * and exits 0: the server then runs every SQLite query on its worker processes (README, SQL_INLINE_BUDGET_MS).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import console from 'node:console';

const root = path.join(import.meta.dirname, '..');
const source = path.join(root, 'native', 'sqlite-deadline.c');
const headers = path.join(root, 'node_modules', 'better-sqlite3', 'deps', 'sqlite3');
const target = path.join(root, 'build', 'sqlite-deadline.so');

if (process.platform === 'win32') {
  console.warn('sqlite-deadline: not built on Windows; SQLite queries run on worker processes only');
  process.exit(0);
}
const isFresh = fs.existsSync(target) && fs.statSync(target).mtimeMs >= fs.statSync(source).mtimeMs;
if (isFresh) process.exit(0);
fs.mkdirSync(path.dirname(target), { recursive: true });
const compiler = process.env.CC ?? 'cc';
const flags = process.platform === 'darwin' ? ['-dynamiclib'] : ['-shared', '-fPIC'];
try {
  execFileSync(compiler, ['-O2', ...flags, '-I', headers, '-o', target, source, '-lpthread', '-ldl'], { stdio: 'inherit' });
  console.log(`sqlite-deadline: built ${path.relative(root, target)}`);
} catch (err) {
  console.warn(`sqlite-deadline: not built (${err instanceof Error ? err.message : String(err)}); SQLite queries run on worker processes only`);
}
