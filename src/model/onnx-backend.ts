import type { ModelConfig } from '../config.js';
import { ConfigError, ModelUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { InferenceSession } from 'onnxruntime-node';
import { createInferenceSession } from './execution-provider.js';
import { generateTokens, readDecoderSignature, type DecoderSignature } from './generation-loop.js';
import type { ChatMessage, ChatOptions, ChatResult, FinishReason, LlmBackend } from './index.js';
import { loadModelDir } from './model-dir.js';
import { createRequestQueue } from './request-queue.js';
import { createSampler } from './sampling.js';
import { createTextAssembler } from './text-assembler.js';
import { createChatTokenizer, type ChatTokenizer } from './tokenizer.js';

interface LocalModel {
  session: InferenceSession;
  sig: DecoderSignature;
  tokenizer: ChatTokenizer;
  eosTokenIds: ReadonlySet<number>;
}

/** Drains a stream into its final result (chat() is the stream without the chunks). */
async function collect(gen: AsyncGenerator<string, ChatResult, undefined>): Promise<ChatResult> {
  for (;;) {
    const step = await gen.next();
    if (step.done === true) return step.value;
  }
}

/**
 * The local backend: a decoder export in MODEL_DIR run with onnxruntime-node and our own KV-cache loop.
 * Throws ConfigError for a missing or malformed directory; ModelUnavailableError when MODEL_DEVICE=cuda cannot start.
 */
export async function createOnnxBackend(cfg: ModelConfig, log: Logger): Promise<LlmBackend> {
  const mlog = log.child({ mod: 'model.onnx' });
  if (cfg.modelDir === undefined) throw new ConfigError(['MODEL_BACKEND=onnx needs MODEL_DIR (a local decoder export directory)']);
  const files = loadModelDir(cfg.modelDir, cfg.dtype);
  const tokenizer = createChatTokenizer(files);
  const { session, device } = await createInferenceSession(files.onnxPath, cfg.device, mlog);
  let sig: DecoderSignature;
  try {
    sig = readDecoderSignature(session, files.config);
  } catch (err) {
    await session.release();
    throw err;
  }
  const model: LocalModel = { session, sig, tokenizer, eosTokenIds: new Set(files.eosTokenIds) };
  const queue = createRequestQueue();
  let isClosed = false;
  const closedError = (): ModelUnavailableError => new ModelUnavailableError('The local model has been closed');
  const schedule = <T>(step: () => Promise<T>, signal?: AbortSignal): Promise<T> =>
    queue.run(() => (isClosed ? Promise.reject(closedError()) : step()), signal);
  mlog.info({ model: files.name, dtype: cfg.dtype, device, layers: sig.kv.length / 2, kvType: sig.kvType }, 'local model ready');

  async function* stream(messages: ChatMessage[], opts: ChatOptions = {}): AsyncGenerator<string, ChatResult, undefined> {
    if (isClosed) throw closedError();
    const promptIds = model.tokenizer.encode(model.tokenizer.renderChat(messages));
    const assembler = createTextAssembler(model.tokenizer.decode, opts.stop ?? []);
    const tokens = generateTokens(model.session, model.sig, promptIds, {
      maxNewTokens: opts.maxTokens ?? cfg.maxNewTokens,
      eosTokenIds: model.eosTokenIds,
      sampler: createSampler({ temperature: opts.temperature ?? 0, topP: opts.topP ?? 1, ...(opts.seed === undefined ? {} : { seed: opts.seed }) }),
      schedule,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    let finishReason: FinishReason | undefined;
    try {
      while (finishReason === undefined) {
        const step = await tokens.next();
        if (step.done === true) {
          finishReason = step.value;
          break;
        }
        const { chunk, isStopped } = assembler.push(step.value);
        if (chunk !== '') yield chunk;
        if (isStopped) finishReason = 'stop';
      }
    } finally {
      await tokens.return('stop');
    }
    const rest = assembler.flush();
    if (rest !== '') yield rest;
    return { text: assembler.text, promptTokens: promptIds.length, completionTokens: assembler.tokenCount, finishReason };
  }

  return {
    stream,
    chat: (messages, opts) => collect(stream(messages, opts)),
    describe: () => ({ backend: 'onnx', model: files.name, device }),
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      await queue.run(() => model.session.release());
    },
  };
}
