import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentVariables } from '../src/config.js';

const ROOT = path.join(import.meta.dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The rows of the README's "Configuration" table: the variable names of the first cell, and the default cell. */
function configurationRows(): { names: string[]; defaults: string[]; text: string }[] {
  const section = README.slice(README.indexOf('## Configuration'), README.indexOf('\n## ', README.indexOf('## Configuration') + 1));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [first = '', second = ''] = line.split(' | ');
      return {
        names: [...first.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1] as string),
        defaults: second.split(' / ').map((d) => d.trim()),
        text: line,
      };
    });
}

describe("README's configuration table", () => {
  const variables = environmentVariables();
  const rows = configurationRows();

  it('documents every variable the config reads, and only those', () => {
    const mentioned = new Set(rows.flatMap((r) => [...r.text.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string)));
    expect([...variables.keys()].filter((name) => !mentioned.has(name))).toEqual([]);
    expect(rows.flatMap((r) => r.names).filter((name) => !variables.has(name))).toEqual([]);
  });

  it('gives each variable the default the config applies', () => {
    const wrong = rows.flatMap((r) =>
      r.names.flatMap((name, i) => {
        const applied = variables.get(name);
        if (applied === undefined) return [];
        const documented = r.defaults.length === r.names.length ? r.defaults[i] : r.defaults[0];
        return documented === `\`${String(applied)}\`` ? [] : [`${name}: README ${documented}, config ${String(applied)}`];
      }),
    );
    expect(wrong).toEqual([]);
  });
});

describe("README's commands", () => {
  it('names every npm script a user runs', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // why not the hooks: npm runs pre*/post*/install scripts itself; start and test have their own npm commands.
    const run = Object.keys(pkg.scripts).filter((name) => !/^(pre|post)|^install$/.test(name));
    const command = (name: string) => (name === 'start' || name === 'test' ? `npm ${name}` : `npm run ${name}`);
    expect(run.filter((name) => !README.includes(command(name)))).toEqual([]);
  });
});
