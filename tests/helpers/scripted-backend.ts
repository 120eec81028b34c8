import type { BackendDescription, ChatMessage, ChatOptions, ChatResult, LlmBackend } from '../../src/model/index.js';

/** An answer: fixed text, or computed from the prompt and the 0-based call index. */
export type ScriptFn = (messages: ChatMessage[], callIndex: number) => string;

/** About four characters a token, so token counts are non-zero and grow with the text. */
function tokensOf(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * A test double for a paid chat model: answers from a list (in call order) or a function, honours stop strings,
 * maxTokens is ignored, and every call is recorded with its messages and options.
 */
export class ScriptedBackend implements LlmBackend {
  readonly calls: { messages: ChatMessage[]; options: ChatOptions }[] = [];

  constructor(private readonly script: string[] | ScriptFn) {}

  async chat(messages: ChatMessage[], opts: ChatOptions = {}): Promise<ChatResult> {
    opts.signal?.throwIfAborted();
    const index = this.calls.length;
    this.calls.push({ messages: messages.map((m) => ({ ...m })), options: opts });
    const raw = typeof this.script === 'function' ? this.script(messages, index) : this.script[index];
    if (raw === undefined) throw new Error(`ScriptedBackend: no answer scripted for call ${index}`);
    const text = applyStop(raw, opts.stop ?? []);
    await Promise.resolve();
    return {
      text,
      promptTokens: tokensOf(messages.map((m) => m.content).join('')),
      completionTokens: tokensOf(text),
      finishReason: 'stop',
    };
  }

  async *stream(messages: ChatMessage[], opts: ChatOptions = {}): AsyncGenerator<string, ChatResult, undefined> {
    const result = await this.chat(messages, opts);
    for (const piece of result.text.match(/\S+\s*|\s+/g) ?? []) yield piece;
    return result;
  }

  describe(): BackendDescription {
    return { backend: 'openai', model: 'scripted', device: 'remote' };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function applyStop(text: string, stop: string[]): string {
  const cut = Math.min(...stop.map((s) => text.indexOf(s)).filter((i) => i >= 0));
  return Number.isFinite(cut) ? text.slice(0, cut) : text;
}
