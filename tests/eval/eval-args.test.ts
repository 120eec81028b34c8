import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvalArgs, UsageError } from '../../src/eval/eval-args.js';

describe('parseEvalArgs', () => {
  it('applies the defaults and derives the output directory from agent, dataset and seed', () => {
    expect(parseEvalArgs(['--agent', 'direct', '--dataset', '../data/spider-train', '--seed', '4'])).toMatchObject({
      agent: 'direct',
      concurrency: 1,
      transport: 'http',
      sqlSource: 'server',
      maxTurns: 3,
      temperature: 0,
      out: path.resolve('eval-runs/direct-spider-train-seed4'),
    });
  });

  it('reads kebab-case flags and returns help for --help', () => {
    expect(parseEvalArgs(['--agent', 'bandit-repair', '--sql-source', 'agent', '--max-attempts', '3'])).toMatchObject({ sqlSource: 'agent', maxAttempts: 3 });
    expect(parseEvalArgs(['-h'])).toBe('help');
  });

  it('names every bad argument', () => {
    expect(() => parseEvalArgs(['--agent', 'gpt', '--limit', '0'])).toThrow(UsageError);
    expect(() => parseEvalArgs(['--agent', 'gpt', '--limit', '0'])).toThrow(/--agent: [\s\S]*--limit: /);
    expect(() => parseEvalArgs(['--agent', 'direct', '--max-turns', 'x'])).toThrow(/--max-turns/);
    expect(() => parseEvalArgs(['--agent', 'direct', '--only', '('])).toThrow(/--only/);
    expect(() => parseEvalArgs(['--agent', 'direct', '--bogus'])).toThrow(/bogus/);
  });
});
