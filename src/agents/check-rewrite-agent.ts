import { answerSql, rewrittenSql } from './answer-sql.js';
import { CHECK_REWRITE_PROMPT_VERSION, checkPrompt, isVerdictCorrect, rewritePrompt, writePrompt, type ReviewInput } from './check-rewrite-prompts.js';
import { EpisodeTracker } from './episode-tracker.js';
import { executionText, questionText, schemaText, truncate } from './observation-text.js';
import type { Agent, AgentModel } from './types.js';

export interface CheckRewriteOptions {
  /** Writes plus rewrites; Agent Lightning's LitSQLAgent uses 3. */
  maxTurns?: number;
}

const META = { arm: 'generate', promptVersion: CHECK_REWRITE_PROMPT_VERSION } as const;

/**
 * The Agent Lightning SQL agent loop (grading.md §5): write → execute → check → (stop | rewrite → execute → check …),
 * at most maxTurns writes. Each write or rewrite is one env step, whose observation is the "execute" node; the check
 * is a model call on that observation. Agent-written SQL goes out with repair_action 'generate', so the server's
 * bandit does not learn from prompts it did not write. The loop also ends when the env ends the episode (a correct
 * attempt, or no attempts left), so the check after a correct query is not made.
 */
export function createCheckRewriteAgent(model: AgentModel, options: CheckRewriteOptions = {}): Agent {
  const maxTurns = options.maxTurns ?? 3;
  return {
    name: 'check-rewrite',
    async run(session, { reset, signal }) {
      const t = new EpisodeTracker(session, model, signal);
      const obs = await t.start(reset);
      const base = { dialect: obs.dialect, question: questionText(obs), schema: schemaText(obs) };
      const write = await t.ask('write', writePrompt(base), META);
      let sql = answerSql(write.text);
      await t.submit({ custom_sql: sql, repair_action: 'generate' }, write.index);
      for (let turn = 1; turn < maxTurns && !t.isDone; turn++) {
        const review: ReviewInput = { ...base, sql, execution: truncate(executionText(t.observation)) };
        const check = await t.ask('check', checkPrompt(review), META);
        if (isVerdictCorrect(check.text)) break;
        const rewrite = await t.ask('rewrite', rewritePrompt({ ...review, feedback: check.text }), META);
        sql = rewrittenSql(rewrite.text, sql);
        await t.submit({ custom_sql: sql, repair_action: 'generate' }, rewrite.index);
      }
      return t.trace();
    },
  };
}
