import { ANSWER_FORMAT, PROBLEM_BLOCK, SCHEMA_BLOCK, type PromptTemplate } from './common.js';

/** Arm 4: WHERE versus HAVING, GROUP BY columns, nested aggregates. */
export const FIX_AGGREGATION_PROMPT: PromptTemplate = {
  name: 'FIX_AGGREGATION',
  version: 1,
  system: `You fix aggregation in {{dialect}} queries. Check each point:
- a condition on an aggregate belongs in HAVING, not in WHERE;
- every selected column that is not inside an aggregate must appear in GROUP BY, and GROUP BY should list only what the question groups by;
- aggregates cannot be nested: compute the inner one in a subquery;
- count distinct things with COUNT(DISTINCT …);
- sorting or limiting by an aggregate ("the most", "the fewest") needs GROUP BY with ORDER BY on that aggregate.
Change only what these rules require.

${SCHEMA_BLOCK}

${ANSWER_FORMAT}`,
  user: `${PROBLEM_BLOCK}
Rewrite the query with correct aggregation.`,
};
