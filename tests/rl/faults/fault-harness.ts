import type { SqlEngine } from '../../../src/env/db/engine.js';
import { createGrader, type Grader } from '../../../src/env/grade/grader.js';
import { classifyFailure, classifyOutcome } from '../../../src/rl/error-class.js';
import { silentLogger } from '../../helpers/logs.js';
import { testConfig } from '../../helpers/test-config.js';

/** Executes a corrupted query for real and names what went wrong as the environment would: its error class, or MATCH. */
export interface FaultJudge {
  classOf(database: string, goldSql: string, sql: string, legacyDoubleQuotes: boolean): Promise<string>;
}

export function createFaultJudge(engine: SqlEngine): FaultJudge {
  const config = testConfig();
  const grader: Grader = createGrader({ engine, log: silentLogger(), score: config.score, gradeMaxRows: 10_000, timeoutMs: config.sql.timeoutMs });
  return {
    async classOf(database, goldSql, sql, legacyDoubleQuotes) {
      const exec = await engine.execute(database, sql, { legacyDoubleQuotes });
      if (!exec.ok) return classifyFailure(exec, sql, await engine.schema(database)).errorClass;
      const grade = await grader.grade({ database, goldSql, legacyDoubleQuotes, prediction: exec });
      const gold = await engine.execute(database, goldSql, { legacyDoubleQuotes, maxRows: 10_000 });
      const info = classifyOutcome(exec, { isMatch: grade.isMatch, ...(gold.ok ? { goldRowCount: gold.rowCount } : {}) });
      return info?.errorClass ?? 'MATCH';
    },
  };
}
