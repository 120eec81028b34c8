import { createAgentBanditAgent, createServerBanditAgent } from './bandit-repair-agent.js';
import { createCheckRewriteAgent } from './check-rewrite-agent.js';
import { createDirectAgent } from './direct-agent.js';
import { createReactFallbackAgent } from './react-fallback-agent.js';
import type { Agent, AgentModel } from './types.js';

/** Reference agents that drive sql-repair-env through its public client. */
export type * from './types.js';
export { EpisodeTracker } from './episode-tracker.js';
export { openSession, createHttpSession, createWsSession, type Transport, type SessionOptions } from './env-session.js';
export { TRUNCATE_CHARS, truncate, executionText } from './observation-text.js';
export { VERDICT_CORRECT, VERDICT_INCORRECT, isVerdictCorrect, CHECK_REWRITE_PROMPT_VERSION } from './check-rewrite-prompts.js';
export { REACT_PROMPT_VERSION, parseReactMove } from './react-prompt.js';
export { createDirectAgent, createCheckRewriteAgent, createServerBanditAgent, createAgentBanditAgent, createReactFallbackAgent };

export const AGENT_NAMES = ['direct', 'check-rewrite', 'bandit-repair', 'react-fallback'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/** Who writes bandit-repair's SQL: the server's model ('auto' without custom_sql) or the agent's own model. */
export type SqlSource = 'server' | 'agent';

export interface AgentSettings {
  /** The agent's own model; every agent but bandit-repair with sqlSource 'server' needs one. */
  model?: AgentModel;
  sqlSource?: SqlSource;
  /** check-rewrite: writes plus rewrites (default 3). */
  maxTurns?: number;
  /** bandit-repair: attempts (default 5, and never more than the server allows). */
  maxAttempts?: number;
}

export function isAgentName(name: string): name is AgentName {
  return (AGENT_NAMES as readonly string[]).includes(name);
}

/** Whether the named agent calls a model of its own (else the server's model writes the SQL). */
export function needsOwnModel(name: AgentName, sqlSource: SqlSource = 'server'): boolean {
  return name !== 'bandit-repair' || sqlSource === 'agent';
}

/** Builds a reference agent. Throws when the agent needs its own model and settings.model is missing. */
export function createAgent(name: AgentName, settings: AgentSettings = {}): Agent {
  if (!needsOwnModel(name, settings.sqlSource)) return createServerBanditAgent({ maxAttempts: settings.maxAttempts });
  const model = settings.model;
  if (model === undefined) throw new Error(`agent '${name}' needs a model: set LLM_BASE_URL/LLM_API_KEY or MODEL_DIR`);
  switch (name) {
    case 'direct':
      return createDirectAgent(model);
    case 'check-rewrite':
      return createCheckRewriteAgent(model, { maxTurns: settings.maxTurns });
    case 'bandit-repair':
      return createAgentBanditAgent(model, { maxAttempts: settings.maxAttempts });
    case 'react-fallback':
      return createReactFallbackAgent(model);
  }
}
