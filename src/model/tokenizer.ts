import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { ConfigError } from '../errors.js';
import type { ChatMessage } from './index.js';

/** Tokenizer plus chat template, both read from the model directory's own files. */
export interface ChatTokenizer {
  /** Token ids of already-rendered text; special-token text such as `<|im_start|>` maps to its id. */
  encode(text: string): number[];
  /** Text of ids, special tokens skipped. */
  decode(ids: readonly number[]): string;
  /** The prompt the model expects for these messages, ending with the assistant turn's opening. */
  renderChat(messages: readonly ChatMessage[]): string;
  tokenId(token: string): number | undefined;
}

export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  chatTemplate: string;
}

/** tokenizer_config.json stores special tokens as strings or as AddedToken objects `{content: …}`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function specialTokens(cfg: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
    const text = tokenText(cfg[key]);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

/** Builds the tokenizer and compiles the template; throws ConfigError when either file cannot be used. */
export function createChatTokenizer(files: TokenizerFiles): ChatTokenizer {
  let tokenizer: Tokenizer;
  let template: Template;
  try {
    tokenizer = new Tokenizer(files.tokenizerJson, files.tokenizerConfig);
  } catch (err) {
    throw new ConfigError([`tokenizer.json could not be loaded: ${(err as Error).message}`]);
  }
  try {
    template = new Template(files.chatTemplate);
  } catch (err) {
    throw new ConfigError([`the chat template could not be parsed: ${(err as Error).message}`]);
  }
  const specials = specialTokens(files.tokenizerConfig);
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tokenizer.decode([...ids], { skip_special_tokens: true }),
    renderChat: (messages) =>
      template.render({
        ...specials,
        bos_token: specials['bos_token'] ?? '',
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: true,
      }),
    tokenId: (token) => tokenizer.token_to_id(token),
  };
}
