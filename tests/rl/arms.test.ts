import { describe, expect, it } from 'vitest';
import { ARMS, ARM_NAMES, GENERATE_ARM, armByName, armContextOf, feasibilityMask, type ArmName } from '../../src/rl/arms.js';
import { MAX_PREVIEW_CHARS, PROMPT_VERSION, renderTemplate, templateVersion, type PromptInput } from '../../src/rl/prompt-templates.js';

const feasibleArms = (errorClass: string, sql: string | null, token?: string, tableCount = 4): ArmName[] => {
  const mask = feasibilityMask(armContextOf({ errorClass, ...(token === undefined ? {} : { token }) }, sql, tableCount));
  return ARM_NAMES.filter((_, i) => mask[i]);
};

const INPUT: PromptInput = {
  dialect: 'sqlite',
  question: 'Which singers are from France?',
  evidence: 'France is stored as a country name',
  schemaInfo: 'CREATE TABLE singer (singer_id INTEGER PRIMARY KEY, name TEXT, country TEXT)',
  sql: "SELECT nam FROM singer WHERE country = 'france'",
  diagnosis: {
    errorClass: 'UNKNOWN_COLUMN',
    rawMessage: 'no such column: nam',
    token: 'nam',
    candidates: [{ name: 'singer.name', score: 0.75 }, { name: 'stadium.name', score: 0.75 }],
  },
  previousResult: { columns: ['name'], rows: [['Joe Sharp'], [null]], rowCount: 2 },
  probes: [{ kind: 'values', title: 'Stored values of the filtered columns', lines: ["singer.country (TEXT) = 'france': stored values containing it: 'France'"], queries: 2 }],
};

describe('arm registry', () => {
  it('has the ten arms of the spec in the fixed order of the wire contract', () => {
    expect([...ARM_NAMES]).toEqual(['FIX_IDENTIFIER', 'FIX_JOIN_PATH', 'FIX_SYNTAX_DIALECT', 'FIX_AGGREGATION', 'PROBE_VALUES', 'RELAX_FILTERS', 'FIX_PROJECTION', 'EXPLAIN_AND_VERIFY', 'DECOMPOSE_CTE', 'REGENERATE']);
    expect(Object.keys(ARMS)).toEqual([...ARM_NAMES]);
    for (const name of ARM_NAMES) {
      expect(ARMS[name].name).toBe(name);
      expect(ARMS[name].description.length).toBeGreaterThan(20);
    }
  });

  it('finds arms and the generate prompt by name, and nothing for an unknown name', () => {
    expect(armByName('PROBE_VALUES')).toBe(ARMS.PROBE_VALUES);
    expect(armByName('generate')).toBe(GENERATE_ARM);
    expect(armByName('EXPLAIN_AND_unverified')).toBeUndefined();
  });

  it('declares the service probes of PROBE_VALUES, RELAX_FILTERS and FIX_JOIN_PATH only', () => {
    const withProbes = ARM_NAMES.filter((n) => ARMS[n].probes.length > 0).map((n) => [n, ARMS[n].probes]);
    expect(withProbes).toEqual([['FIX_JOIN_PATH', ['join-paths']], ['PROBE_VALUES', ['values']], ['RELAX_FILTERS', ['filters']]]);
  });

  it('versions every template as name@vN+hash, distinct per arm and recorded on the arm', () => {
    const versions = [...ARM_NAMES, 'generate'].map((n) => PROMPT_VERSION[n]);
    for (const [i, v] of versions.entries()) expect(v).toMatch(new RegExp(`^${[...ARM_NAMES, 'generate'][i]}@v\\d+\\+[0-9a-f]{8}$`));
    expect(new Set(versions).size).toBe(versions.length);
    expect(ARMS.FIX_IDENTIFIER.promptVersion).toBe(PROMPT_VERSION.FIX_IDENTIFIER);
  });

  it('changes the version when a template text changes, even without a version bump', () => {
    const t = ARMS.FIX_AGGREGATION.template;
    expect(templateVersion({ ...t, system: `${t.system} ` })).not.toBe(templateVersion(t));
  });
});

describe('feasibility masks', () => {
  it('allows only REGENERATE when the model produced no SQL', () => {
    expect(feasibleArms('SYNTAX', null)).toEqual(['REGENERATE']);
    expect(feasibleArms('OTHER', '   ')).toEqual(['REGENERATE']);
  });

  it('allows FIX_IDENTIFIER only for a name error with an offending token', () => {
    expect(feasibleArms('UNKNOWN_COLUMN', 'SELECT nam FROM singer', 'nam')).toContain('FIX_IDENTIFIER');
    expect(feasibleArms('UNKNOWN_COLUMN', 'SELECT nam FROM singer')).not.toContain('FIX_IDENTIFIER');
    expect(feasibleArms('TIMEOUT', 'SELECT nam FROM singer', 'nam')).not.toContain('FIX_IDENTIFIER');
  });

  it('allows RELAX_FILTERS only for an empty result with something to relax, FIX_PROJECTION for results and shape errors', () => {
    expect(feasibleArms('EMPTY_RESULT', "SELECT name FROM singer WHERE country = 'x'")).toContain('RELAX_FILTERS');
    expect(feasibleArms('EMPTY_RESULT', 'SELECT name FROM singer')).not.toContain('RELAX_FILTERS');
    expect(feasibleArms('WRONG_RESULT', "SELECT name FROM singer WHERE country = 'x'")).not.toContain('RELAX_FILTERS');
    expect(feasibleArms('WRONG_RESULT', 'SELECT name FROM singer')).toContain('FIX_PROJECTION');
    expect(feasibleArms('QUERY_SHAPE', 'SELECT name FROM singer ORDER BY 5')).toContain('FIX_PROJECTION');
    expect(feasibleArms('SYNTAX', 'SELECT name FROM singer ORDER age')).not.toContain('FIX_PROJECTION');
  });

  it('ties FIX_AGGREGATION, PROBE_VALUES, FIX_JOIN_PATH and FIX_SYNTAX_DIALECT to what the query and database have', () => {
    expect(feasibleArms('GROUPING', 'SELECT name FROM singer')).toContain('FIX_AGGREGATION');
    expect(feasibleArms('WRONG_RESULT', 'SELECT country, count(*) FROM singer GROUP BY country')).toContain('FIX_AGGREGATION');
    expect(feasibleArms('WRONG_RESULT', 'SELECT name FROM singer')).not.toContain('FIX_AGGREGATION');
    expect(feasibleArms('TYPE_MISMATCH', "SELECT name FROM singer WHERE age = 'old'")).toContain('PROBE_VALUES');
    expect(feasibleArms('TYPE_MISMATCH', 'SELECT name FROM singer WHERE age = age')).not.toContain('PROBE_VALUES');
    expect(feasibleArms('UNKNOWN_COLUMN', 'SELECT nam FROM singer', 'nam', 1)).not.toContain('FIX_JOIN_PATH');
    expect(feasibleArms('UNKNOWN_COLUMN', 'SELECT nam FROM singer', 'nam', 2)).toContain('FIX_JOIN_PATH');
    expect(feasibleArms('SYNTAX', 'SELECT name, FROM singer', 'FROM')).toContain('FIX_SYNTAX_DIALECT');
    for (const c of ['EMPTY_RESULT', 'WRONG_RESULT', 'TIMEOUT', 'REJECTED']) expect(feasibleArms(c, 'SELECT name FROM singer')).not.toContain('FIX_SYNTAX_DIALECT');
  });

  it('always has REGENERATE, EXPLAIN_AND_VERIFY and DECOMPOSE_CTE for a query, so a mask is never empty', () => {
    for (const c of ['SYNTAX', 'TIMEOUT', 'REJECTED', 'OTHER', 'WRONG_RESULT']) {
      expect(feasibleArms(c, 'SELECT 1')).toEqual(expect.arrayContaining(['EXPLAIN_AND_VERIFY', 'DECOMPOSE_CTE', 'REGENERATE']));
    }
  });
});

describe('prompt builders', () => {
  it('puts the question, evidence, schema, failing SQL, error, token, candidates, result and probes into the messages', () => {
    const prompt = ARMS.FIX_IDENTIFIER.buildPrompt(INPUT);
    expect(prompt.armName).toBe('FIX_IDENTIFIER');
    expect(prompt.promptVersion).toBe(PROMPT_VERSION.FIX_IDENTIFIER);
    expect(prompt.messages.map((m) => m.role)).toEqual(['system', 'user']);
    const [system, user] = prompt.messages.map((m) => m.content) as [string, string];
    expect(system).toContain(INPUT.schemaInfo);
    expect(system).toContain('```sqlite');
    for (const part of ['Which singers are from France?', 'France is stored as a country name', "SELECT nam FROM singer WHERE country = 'france'", 'no such column: nam', 'UNKNOWN_COLUMN', 'Offending name: nam', 'singer.name (0.75), stadium.name (0.75)', 'Joe Sharp\nNULL', "stored values containing it: 'France'"]) {
      expect(user).toContain(part);
    }
    expect(`${system}${user}`).not.toMatch(/\{\{|\}\}/);
  });

  it('names the dialect and its fence, with dialect notes where the arm needs them', () => {
    const pg = ARMS.FIX_SYNTAX_DIALECT.buildPrompt({ ...INPUT, dialect: 'postgres' }).messages[0]?.content ?? '';
    const lite = ARMS.FIX_SYNTAX_DIALECT.buildPrompt(INPUT).messages[0]?.content ?? '';
    expect(pg).toContain('valid PostgreSQL');
    expect(pg).toContain('```postgresql');
    expect(pg).toContain('ILIKE matches without case');
    expect(lite).toContain('valid SQLite');
    expect(lite).toContain("strftime('%Y', col)");
    expect(lite).not.toContain('ILIKE matches without case');
  });

  it('leaves out the sections it has no data for', () => {
    const bare: PromptInput = { dialect: 'sqlite', question: 'How many singers?', schemaInfo: 'CREATE TABLE singer (x)', sql: 'SELECT count(*) FROM singers', diagnosis: { errorClass: 'TIMEOUT', rawMessage: 'Query exceeded the 50 ms timeout', candidates: [] } };
    const user = ARMS.DECOMPOSE_CTE.buildPrompt(bare).messages[1]?.content ?? '';
    expect(user).toContain('Outcome (TIMEOUT): Query exceeded the 50 ms timeout');
    for (const absent of ['Evidence:', 'Offending name', 'Closest names', 'Its result', 'What the service found']) expect(user).not.toContain(absent);
  });

  it('builds the first-attempt prompt from the question and schema only', () => {
    const prompt = GENERATE_ARM.buildPrompt({ dialect: 'postgres', question: 'How many singers?', schemaInfo: 'CREATE TABLE singer (x int)' });
    expect(prompt.armName).toBe('generate');
    expect(prompt.promptVersion).toBe(PROMPT_VERSION.generate);
    expect(prompt.messages[0]?.content).toContain('PostgreSQL');
    expect(prompt.messages[0]?.content).toContain('CREATE TABLE singer (x int)');
    expect(prompt.messages[1]?.content).toBe('Question: How many singers?');
  });

  it('caps a long result preview', () => {
    const rows = Array.from({ length: 50 }, () => ['x'.repeat(1000)]);
    const user = ARMS.EXPLAIN_AND_VERIFY.buildPrompt({ ...INPUT, previousResult: { columns: ['c'], rows, rowCount: 50, isTruncated: true } }).messages[1]?.content ?? '';
    expect(user).toContain('... (truncated)');
    expect(user.length).toBeLessThan(INPUT.question.length + MAX_PREVIEW_CHARS + 2000);
  });

  it('reuses the rendered system message for the same arm, dialect and schema, and renders anew when one changes', () => {
    const system = (input: PromptInput) => ARMS.FIX_JOIN_PATH.buildPrompt(input).messages[0]?.content ?? '';
    const first = system(INPUT);
    expect(system({ ...INPUT, question: 'Another question', sql: 'SELECT 2' })).toBe(first);
    const otherSchema = system({ ...INPUT, schemaInfo: `${INPUT.schemaInfo}\nCREATE TABLE extra (id int)` });
    expect(otherSchema).toContain('CREATE TABLE extra (id int)');
    expect(first).not.toContain('CREATE TABLE extra');
    expect(system({ ...INPUT, dialect: 'postgres' })).toContain('PostgreSQL');
    expect(first).not.toContain('PostgreSQL');
  });
});

describe('renderTemplate', () => {
  it('keeps a section only when its variable is non-empty and never re-expands inserted values', () => {
    expect(renderTemplate('a{{#x}}[{{x}}]{{/x}}b', { x: '' })).toBe('ab');
    expect(renderTemplate('a{{#x}}[{{x}}]{{/x}}b', { x: '{{y}}', y: 'no' })).toBe('a[{{y}}]b');
  });

  it('keeps a nested section only when both its variables are non-empty', () => {
    const text = '<{{#a}}a={{a}}{{#b}}, b={{b}}{{/b}};{{/a}}>';
    expect(renderTemplate(text, { a: '1', b: '2' })).toBe('<a=1, b=2;>');
    expect(renderTemplate(text, { a: '1', b: '' })).toBe('<a=1;>');
    expect(renderTemplate(text, { a: '', b: '2' })).toBe('<>');
  });

  it('throws on a variable the input does not define, and on sections not closed in order', () => {
    expect(() => renderTemplate('{{nope}}', {})).toThrow(/unknown variable 'nope'/);
    expect(() => renderTemplate('{{#a}}{{#b}}{{/a}}{{/b}}', { a: 'x', b: 'y' })).toThrow(/closes '\{\{\/a\}\}'/);
    expect(() => renderTemplate('{{#a}}x', { a: 'x' })).toThrow(/leaves '\{\{#a\}\}' open/);
  });
});
