import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Dependency rules of spec/architecture.md §5.2, checked on import lines. */
const SRC = path.join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specifiers.map((m) => m[1] as string);
}

const files = sourceFiles(SRC).map((file) => ({ rel: path.relative(SRC, file).split(path.sep).join('/'), imports: importsOf(file) }));

/** The src-relative folder an import lands in (or the package name for third-party imports). */
function target(fromRel: string, spec: string): { kind: 'src'; rel: string } | { kind: 'pkg'; name: string } {
  if (spec.startsWith('.')) return { kind: 'src', rel: path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec)) };
  const parts = spec.split('/');
  return { kind: 'pkg', name: spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string) };
}

const DRIVERS = ['better-sqlite3', 'pg', 'pg-cursor'];
/** Files outside env/db allowed a driver, each with its reason. */
const DRIVER_EXCEPTIONS: Record<string, string> = {
  'env/tasks/demo-db.ts': 'writes the demo database itself (a build step, not agent SQL)',
};

describe('architecture', () => {
  it('keeps env/ free of api, cli, rl, model and HTTP libraries', () => {
    const offenders = files
      .filter((f) => f.rel.startsWith('env/'))
      .flatMap((f) =>
        f.imports
          .map((spec) => ({ spec, t: target(f.rel, spec) }))
          .filter(({ t }) => (t.kind === 'src' ? /^(api|cli|rl|model|client)\//.test(t.rel) || t.rel === 'main.js' || t.rel === 'compose.js' : ['express', 'ws', 'node:http', 'openai', 'onnxruntime-node'].includes(t.name)))
          .map(({ spec }) => `${f.rel} → ${spec}`),
      );
    expect(offenders).toEqual([]);
  });

  it('uses database drivers only in env/db (and the listed build steps), rl/store and cli', () => {
    const offenders = files
      .filter((f) => !f.rel.startsWith('env/db/') && !f.rel.startsWith('rl/store/') && !f.rel.startsWith('cli/') && DRIVER_EXCEPTIONS[f.rel] === undefined)
      .flatMap((f) => f.imports.filter((spec) => DRIVERS.includes(spec)).map((spec) => `${f.rel} → ${spec}`));
    expect(offenders).toEqual([]);
  });

  it('lets rl/ and model/ import env only through env/index', () => {
    const offenders = files
      .filter((f) => f.rel.startsWith('rl/') || f.rel.startsWith('model/'))
      .flatMap((f) =>
        f.imports
          .map((spec) => ({ spec, t: target(f.rel, spec) }))
          .filter(({ t }) => t.kind === 'src' && (/^(api|cli|client)\//.test(t.rel) || (t.rel.startsWith('env/') && t.rel !== 'env/index.js')))
          .map(({ spec }) => `${f.rel} → ${spec}`),
      );
    expect(offenders).toEqual([]);
  });

  it('keeps model/ free of rl/ and rl/ free of model/', () => {
    const offenders = files.flatMap((f) =>
      f.imports
        .map((spec) => ({ spec, t: target(f.rel, spec) }))
        .filter(({ t }) => t.kind === 'src' && ((f.rel.startsWith('model/') && t.rel.startsWith('rl/')) || (f.rel.startsWith('rl/') && t.rel.startsWith('model/'))))
        .map(({ spec }) => `${f.rel} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('lets nothing import api/, cli/, main or compose except the composition root and the api itself', () => {
    const offenders = files
      .filter((f) => !['main.ts', 'compose.ts'].includes(f.rel) && !f.rel.startsWith('api/') && !f.rel.startsWith('cli/'))
      .flatMap((f) =>
        f.imports
          .map((spec) => ({ spec, t: target(f.rel, spec) }))
          .filter(({ t }) => t.kind === 'src' && (/^(api|cli)\//.test(t.rel) || ['main.js', 'compose.js'].includes(t.rel)))
          .map(({ spec }) => `${f.rel} → ${spec}`),
      );
    expect(offenders).toEqual([]);
  });

  it('reads process.env only in config.ts', () => {
    const offenders = files.filter((f) => f.rel !== 'config.ts' && fs.readFileSync(path.join(SRC, f.rel), 'utf8').includes('process.env')).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it('maps HTTP statuses only in api/error-map.ts', () => {
    const offenders = files
      .filter((f) => f.rel !== 'api/error-map.ts' && !f.rel.startsWith('api/openai') && /\bres\.status\((4|5)\d\d\)/.test(fs.readFileSync(path.join(SRC, f.rel), 'utf8')))
      .map((f) => f.rel);
    expect(offenders).toEqual([]);
  });
});
