import type { RepairAction } from '../env/index.js';
import { answerSql } from './answer-sql.js';
import { writeFirstAttempt } from './direct-agent.js';
import { EpisodeTracker } from './episode-tracker.js';
import type { Agent, AgentModel } from './types.js';

export interface BanditRepairOptions {
  /** Stop after this many attempts even if the server allows more (the original loop: 5). */
  maxAttempts?: number;
}

/**
 * The original environment's loop with the server's model writing every query: 'auto' without custom_sql, so the
 * server generates, then repairs with the bandit's arm, until success or the attempts run out. Needs a server
 * with a model. Each attempt is recorded as a call with the prompt the server used (the previous observation's
 * recommendation) and the SQL it ran.
 */
export function createServerBanditAgent(options: BanditRepairOptions = {}): Agent {
  const maxAttempts = options.maxAttempts ?? 5;
  return {
    name: 'bandit-repair',
    async run(session, { reset, signal }) {
      const t = new EpisodeTracker(session, undefined, signal);
      await t.start(reset);
      while (!t.isDone && t.steps.length < maxAttempts) {
        signal?.throwIfAborted();
        const rec = t.observation.recommendation;
        const obs = await t.submit({ repair_action: 'auto' });
        if (rec !== null) {
          t.recordServerCall(t.steps.length === 1 ? 'write' : 'rewrite', rec.prompt, { arm: rec.arm, promptVersion: rec.prompt_version }, obs.current_sql ?? '');
        }
      }
      return t.trace();
    },
  };
}

/**
 * The same loop with the agent's own model: it answers the recommendation's prompt messages and sends the SQL as
 * custom_sql with repair_action = the recommended arm, so the server's bandit learns from the outcome.
 */
export function createAgentBanditAgent(model: AgentModel, options: BanditRepairOptions = {}): Agent {
  const maxAttempts = options.maxAttempts ?? 5;
  return {
    name: 'bandit-repair',
    async run(session, { reset, signal }) {
      const t = new EpisodeTracker(session, model, signal);
      await writeFirstAttempt(t, reset);
      while (!t.isDone && t.steps.length < maxAttempts) {
        const rec = t.observation.recommendation;
        if (rec === null) break;
        const repair = await t.ask('rewrite', rec.prompt, { arm: rec.arm, promptVersion: rec.prompt_version });
        await t.submit({ custom_sql: answerSql(repair.text), repair_action: rec.arm as RepairAction }, repair.index);
      }
      return t.trace();
    },
  };
}
