import type { Action, Observation, RepairAction, ResetOptions } from '../env/index.js';
import type { ChatMessage, ChatOptions, LlmBackend } from '../model/index.js';
import type { CallRole, EnvSession, EpisodeTrace, ModelCall, StepRecord } from './types.js';

export interface CallMeta {
  arm: string;
  promptVersion: string;
  stop?: string[];
}

/**
 * Runs one episode for an agent and records it: every env step (one graded attempt) and every model call, linked
 * so that a call's SQL points at the step that executed it.
 */
export class EpisodeTracker {
  readonly steps: StepRecord[] = [];
  readonly calls: ModelCall[] = [];
  private current: Observation | undefined;
  private first: Observation | undefined;
  private isEnded = false;

  constructor(
    private readonly session: EnvSession,
    private readonly model?: { backend: LlmBackend; chatOptions: ChatOptions },
    private readonly signal?: AbortSignal,
  ) {}

  async start(reset: ResetOptions): Promise<Observation> {
    const envelope = await this.session.reset(reset);
    this.first = envelope.observation;
    this.current = envelope.observation;
    return envelope.observation;
  }

  get observation(): Observation {
    if (this.current === undefined) throw new Error('episode not started');
    return this.current;
  }

  /** True once the server has ended the episode. */
  get isDone(): boolean {
    return this.isEnded;
  }

  /** Attempts the server still accepts. */
  get attemptsLeft(): number {
    return this.isEnded ? 0 : this.observation.max_attempts - this.observation.attempt_number;
  }

  /** Asks the agent's model; returns the answer and the call's index. */
  async ask(role: CallRole, messages: ChatMessage[], meta: CallMeta): Promise<{ text: string; index: number }> {
    if (this.model === undefined) throw new Error(`the ${role} call needs a model backend`);
    const options: ChatOptions = { ...this.model.chatOptions, signal: this.signal, ...(meta.stop === undefined ? {} : { stop: meta.stop }) };
    const result = await this.model.backend.chat(messages, options);
    const turn = role === 'check' ? this.steps.length : this.steps.length + 1;
    this.calls.push({
      role,
      turn,
      messages,
      response: result.text,
      arm: meta.arm,
      promptVersion: meta.promptVersion,
      source: 'agent',
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
    });
    return { text: result.text, index: this.calls.length - 1 };
  }

  /** Runs one attempt; `callIndex` names the call whose SQL this is. */
  async submit(action: { custom_sql?: string; repair_action: RepairAction }, callIndex?: number): Promise<Observation> {
    const before = this.observation;
    const envelope = await this.session.step(action as Partial<Action>);
    const obs = envelope.observation;
    const arm = action.repair_action === 'auto' ? (before.recommendation?.arm ?? 'generate') : action.repair_action;
    this.steps.push({
      attempt: obs.attempt_number,
      arm,
      sql: obs.current_sql ?? action.custom_sql ?? '',
      isSuccess: obs.success,
      score: obs.score,
      reward: envelope.reward,
      errorClass: obs.error_class,
      isExecuted: obs.result !== null,
      isDone: envelope.done,
    });
    const call = callIndex === undefined ? undefined : this.calls[callIndex];
    if (call !== undefined) call.stepIndex = this.steps.length - 1;
    this.current = obs;
    this.isEnded = envelope.done;
    return obs;
  }

  /** Records a step whose SQL the server's model wrote from the prompt it recommended. */
  recordServerCall(role: CallRole, prompt: ChatMessage[], meta: CallMeta, sql: string): void {
    this.calls.push({
      role,
      turn: this.steps.length,
      messages: prompt,
      response: `\`\`\`${this.observation.dialect}\n${sql}\n\`\`\``,
      arm: meta.arm,
      promptVersion: meta.promptVersion,
      source: 'server',
      promptTokens: null,
      completionTokens: null,
      stepIndex: this.steps.length - 1,
    });
  }

  trace(): EpisodeTrace {
    if (this.first === undefined) throw new Error('episode not started');
    return { initial: this.first, final: this.observation, steps: this.steps, calls: this.calls, isDone: this.isEnded };
  }
}
