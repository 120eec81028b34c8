import fs from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from '../config.js';
import { ConfigError } from '../errors.js';

export type ModelDtype = ModelConfig['dtype'];

/** MODEL_DTYPE → ONNX file suffix, as transformers.js and the onnx-community exports name them (local-model.md §2.1). */
export const DTYPE_FILE_SUFFIX: Readonly<Record<ModelDtype, string>> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
};

/** The fields of config.json the loader may use (dims are read from the session first). */
export interface DecoderJsonConfig {
  num_hidden_layers?: number;
  num_attention_heads?: number;
  num_key_value_heads?: number;
  hidden_size?: number;
  head_dim?: number;
  eos_token_id?: number | number[];
  max_position_embeddings?: number;
}

/** A validated model directory: parsed JSON files and the chosen ONNX file. */
export interface ModelDir {
  dir: string;
  /** Shown by describe(): the directory's base name. */
  name: string;
  onnxPath: string;
  config: DecoderJsonConfig;
  /** EOS ids from generation_config.json and config.json. */
  eosTokenIds: number[];
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  chatTemplate: string;
}

type Json = Record<string, unknown>;

function readJson(file: string, problems: string[]): Json | undefined {
  if (!fs.existsSync(file)) {
    problems.push(`missing ${path.basename(file)}`);
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Json;
    problems.push(`${path.basename(file)} is not a JSON object`);
  } catch (err) {
    problems.push(`${path.basename(file)} is not valid JSON (${(err as Error).message})`);
  }
  return undefined;
}

function idList(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number');
  return [];
}

function findChatTemplate(dir: string, tokenizerConfig: Json | undefined): string | undefined {
  const fromConfig = tokenizerConfig?.['chat_template'];
  if (typeof fromConfig === 'string') return fromConfig;
  if (Array.isArray(fromConfig)) {
    const named = fromConfig.find((t: { name?: unknown }) => t?.name === 'default') as { template?: unknown } | undefined;
    if (typeof named?.template === 'string') return named.template;
  }
  const jinjaFile = path.join(dir, 'chat_template.jinja');
  if (fs.existsSync(jinjaFile)) return fs.readFileSync(jinjaFile, 'utf8');
  const jsonFile = path.join(dir, 'chat_template.json');
  if (fs.existsSync(jsonFile)) {
    const parsed = readJson(jsonFile, []);
    if (typeof parsed?.['chat_template'] === 'string') return parsed['chat_template'];
  }
  return undefined;
}

function findOnnx(dir: string, dtype: ModelDtype, problems: string[]): string {
  const file = `model${DTYPE_FILE_SUFFIX[dtype]}.onnx`;
  const onnxPath = path.join(dir, 'onnx', file);
  if (!fs.existsSync(onnxPath)) {
    const onnxDir = path.join(dir, 'onnx');
    const present = fs.existsSync(onnxDir) ? fs.readdirSync(onnxDir).filter((f) => f.endsWith('.onnx')) : [];
    const hint = present.length === 0 ? 'the onnx/ folder has no .onnx file' : `present: ${present.join(', ')}`;
    problems.push(`MODEL_DTYPE=${dtype} needs onnx/${file}, which is missing (${hint})`);
  }
  return onnxPath;
}

/**
 * Validates and reads a local decoder export (never fetched from a hub).
 * Throws ConfigError listing every problem found (missing directory, files, malformed JSON, no chat template).
 */
export function loadModelDir(dir: string, dtype: ModelDtype): ModelDir {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ConfigError([`MODEL_DIR=${dir}: not a directory`]);
  }
  const problems: string[] = [];
  const config = readJson(path.join(dir, 'config.json'), problems);
  const generation = readJson(path.join(dir, 'generation_config.json'), problems);
  const tokenizerJson = readJson(path.join(dir, 'tokenizer.json'), problems);
  const tokenizerConfig = readJson(path.join(dir, 'tokenizer_config.json'), problems);
  const onnxPath = findOnnx(dir, dtype, problems);
  const chatTemplate = findChatTemplate(dir, tokenizerConfig);
  if (tokenizerConfig !== undefined && chatTemplate === undefined) {
    problems.push('no chat template (tokenizer_config.json chat_template, chat_template.jinja or chat_template.json)');
  }
  const eosTokenIds = [...new Set([...idList(generation?.['eos_token_id']), ...idList(config?.['eos_token_id'])])];
  if (generation !== undefined && config !== undefined && eosTokenIds.length === 0) {
    problems.push('no eos_token_id in generation_config.json or config.json');
  }
  if (problems.length > 0 || !config || !tokenizerJson || !tokenizerConfig || chatTemplate === undefined) {
    throw new ConfigError(problems.map((p) => `MODEL_DIR=${dir}: ${p}`));
  }
  return { dir, name: path.basename(dir), onnxPath, config, eosTokenIds, tokenizerJson, tokenizerConfig, chatTemplate };
}
