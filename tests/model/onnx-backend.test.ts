import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ModelUnavailableError } from '../../src/errors.js';
import type { ChatMessage, ChatResult, LlmBackend } from '../../src/model/index.js';
import { loadModelDir } from '../../src/model/model-dir.js';
import { createOnnxBackend } from '../../src/model/onnx-backend.js';
import { createChatTokenizer } from '../../src/model/tokenizer.js';
import { memoryLogger, silentLogger } from '../helpers/logs.js';
import { testConfig } from '../helpers/test-config.js';
import { tinyModelDir } from '../helpers/tiny-model.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const SCRIPT = 'SELECT COUNT(*) FROM singer WHERE age > 30';
const messages: ChatMessage[] = [
  { role: 'system', content: 'You write SQLite queries.' },
  { role: 'user', content: 'How many singers are older than 30?' },
];

let scripted: LlmBackend;
let random: LlmBackend;
let scriptedDir: string;
let scriptIds: number[];

async function drain(gen: AsyncGenerator<string, ChatResult, undefined>): Promise<{ chunks: string[]; result: ChatResult }> {
  const chunks: string[] = [];
  for (;;) {
    const step = await gen.next();
    if (step.done === true) return { chunks, result: step.value };
    chunks.push(step.value);
  }
}

describe('onnx backend on the tiny model', () => {
  beforeAll(async () => {
    const built = tinyModelDir({ script: SCRIPT }, 'scripted');
    scriptedDir = built.dir;
    scriptIds = built.scriptIds ?? [];
    scripted = await createOnnxBackend(testConfig({ MODEL_DIR: scriptedDir, MODEL_DEVICE: 'cpu' }).model, silentLogger());
    random = await createOnnxBackend(testConfig({ MODEL_DIR: tinyModelDir({}, 'random').dir, MODEL_DEVICE: 'cpu' }).model, silentLogger());
  });
  afterAll(async () => {
    await scripted?.close();
    await random?.close();
  });

  it('answers a chat with the scripted SQL, stopping at EOS, with token counts', async () => {
    const result = await scripted.chat(messages);
    expect(result.text).toBe(SCRIPT);
    expect(result.finishReason).toBe('stop');
    expect(result.completionTokens).toBe(scriptIds.length);
    const tokenizer = createChatTokenizer(loadModelDir(scriptedDir, 'fp32'));
    expect(result.promptTokens).toBe(tokenizer.encode(tokenizer.renderChat(messages)).length);
  });

  it('streams chunks that add up to the same answer and returns the same result', async () => {
    const { chunks, result } = await drain(scripted.stream(messages));
    expect(chunks.join('')).toBe(SCRIPT);
    expect(chunks.length).toBeGreaterThan(5);
    expect(result).toEqual(await scripted.chat(messages));
  });

  it('ends before a stop string without returning it', async () => {
    const { chunks, result } = await drain(scripted.stream(messages, { stop: [' WHERE'] }));
    expect(result.text).toBe('SELECT COUNT(*) FROM singer');
    expect(result.finishReason).toBe('stop');
    expect(chunks.join('')).toBe('SELECT COUNT(*) FROM singer');
  });

  it('stops at maxTokens with finishReason length', async () => {
    const result = await random.chat(messages, { maxTokens: 7 });
    expect(result).toMatchObject({ completionTokens: 7, finishReason: 'length' });
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('is deterministic when greedy and when sampled with a seed', async () => {
    expect((await random.chat(messages, { maxTokens: 8 })).text).toBe((await random.chat(messages, { maxTokens: 8 })).text);
    const sampled = () => random.chat(messages, { maxTokens: 8, temperature: 0.8, topP: 0.95, seed: 99 });
    expect((await sampled()).text).toBe((await sampled()).text);
  });

  it('cancels a stream mid-answer with an AbortError and frees the queue', async () => {
    const controller = new AbortController();
    const gen = random.stream(messages, { maxTokens: 500, signal: controller.signal });
    await gen.next();
    controller.abort();
    await expect(drain(gen)).rejects.toMatchObject({ name: 'AbortError' });
    expect((await scripted.chat(messages)).text).toBe(SCRIPT);
  });

  it('rejects at once when the signal has already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(scripted.chat(messages, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('serves concurrent requests correctly, interleaving them so none waits for another to finish', async () => {
    const order: string[] = [];
    const run = async (label: string) => {
      const chunks: string[] = [];
      for await (const chunk of random.stream(messages, { maxTokens: 12 })) {
        order.push(label);
        chunks.push(chunk);
      }
      return chunks.join('');
    };
    const [a, b, c] = await Promise.all([run('a'), run('b'), run('c')]);
    const alone = (await random.chat(messages, { maxTokens: 12 })).text;
    expect([a, b, c]).toEqual([alone, alone, alone]);
    expect(order.indexOf('b')).toBeLessThan(order.lastIndexOf('a'));
    expect(order.indexOf('c')).toBeLessThan(order.lastIndexOf('a'));
  });

  it('drops a cancelled request from the queue while the others complete', async () => {
    const controller = new AbortController();
    const first = scripted.chat(messages);
    const cancelled = scripted.chat(messages, { signal: controller.signal });
    const third = scripted.chat(messages);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect((await first).text).toBe(SCRIPT);
    expect((await third).text).toBe(SCRIPT);
  });

  it('describes itself as the onnx backend on the CPU, named after the directory', () => {
    expect(scripted.describe()).toEqual({ backend: 'onnx', model: 'scripted', device: 'cpu' });
  });

  it('logs the chosen device and the model at start-up', async () => {
    const { log, lines } = memoryLogger('info');
    const backend = await createOnnxBackend(testConfig({ MODEL_DIR: scriptedDir, MODEL_DEVICE: 'cpu' }).model, log);
    await backend.close();
    expect(lines().find((l) => l['msg'] === 'local model ready')).toMatchObject({ mod: 'model.onnx', model: 'scripted', device: 'cpu', kvType: 'float32' });
  });

  it('refuses requests after close, and close is idempotent', async () => {
    const backend = await createOnnxBackend(testConfig({ MODEL_DIR: scriptedDir }).model, silentLogger());
    await backend.close();
    await backend.close();
    await expect(backend.chat(messages)).rejects.toBeInstanceOf(ModelUnavailableError);
  });

  it('runs an fp16-cache model chosen by MODEL_DTYPE=fp16', async () => {
    const dir = tinyModelDir({ script: SCRIPT, kvType: 'float16', dtype: 'fp16' }, 'half').dir;
    const backend = await createOnnxBackend(testConfig({ MODEL_DIR: dir, MODEL_DTYPE: 'fp16' }).model, silentLogger());
    try {
      expect((await backend.chat(messages)).text).toBe(SCRIPT);
    } finally {
      await backend.close();
    }
  });

  it('fails at start-up with a ConfigError when MODEL_DIR is missing or incomplete', async () => {
    await expect(createOnnxBackend(testConfig({ MODEL_BACKEND: 'onnx' }).model, silentLogger())).rejects.toThrow(/needs MODEL_DIR/);
    const empty = tmpDir('sre-empty-model-');
    await expect(createOnnxBackend(testConfig({ MODEL_DIR: empty }).model, silentLogger())).rejects.toBeInstanceOf(ConfigError);
  });

  it('fails at start-up with a ConfigError when the ONNX file is not a model', async () => {
    const dir = path.join(tmpDir('sre-corrupt-model-'), 'corrupt');
    fs.cpSync(scriptedDir, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), 'not a protobuf');
    await expect(createOnnxBackend(testConfig({ MODEL_DIR: dir }).model, silentLogger())).rejects.toThrow(/could not be loaded by onnxruntime/);
  });
});
