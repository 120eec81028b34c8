/**
 * Local model throughput and endpoint overhead.
 * 1. Prefill and decode tokens/s of our generation loop on the tiny random-weight decoder (always) and on the model in
 *    MODEL_DIR (when set, with MODEL_DTYPE/MODEL_DEVICE), against the same loop recomputing the whole sequence each
 *    step without the KV cache (the baseline; ratio = cached decode speed / recompute decode speed).
 * 2. The OpenAI-compatible endpoint's overhead: the same chat through POST /v1/chat/completions (remote backend →
 *    real HTTP on 127.0.0.1 → local backend) versus calling the local backend in-process; ratio = HTTP / in-process.
 * Run: npm run bench:model [-- <decode tokens, default 64>]
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { createOpenAiRouter } from '../src/api/openai-routes.js';
import { loadConfig, type ModelConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createInferenceSession } from '../src/model/execution-provider.js';
import { generateTokens, readDecoderSignature } from '../src/model/generation-loop.js';
import type { ChatMessage, LlmBackend } from '../src/model/index.js';
import { loadModelDir } from '../src/model/model-dir.js';
import { createOnnxBackend } from '../src/model/onnx-backend.js';
import { createOpenAiBackend } from '../src/model/openai-backend.js';
import { createSampler } from '../src/model/sampling.js';
import { buildTinyModelDir } from '../src/model/tiny-model/tiny-model-dir.js';
import { createChatTokenizer } from '../src/model/tokenizer.js';

const DECODE_TOKENS = Number(process.argv[2] ?? 64);
const OVERHEAD_ROUNDS = 40;
const log = createLogger({ level: 'warn' });
const baseConfig = loadConfig();

const schema = 'CREATE TABLE singer (singer_id INTEGER PRIMARY KEY, name TEXT, country TEXT, age INTEGER, is_male TEXT);\n';
const longPrompt: ChatMessage[] = [
  { role: 'system', content: `You write one SQLite query. Schema:\n${schema.repeat(3)}` },
  { role: 'user', content: 'What are the names of the singers older than the average age, ordered by age?' },
];

interface Throughput {
  promptTokens: number;
  prefillTokS: number;
  decodeTokS: number;
  recomputeTokS: number;
}

async function measureLoop(cfg: ModelConfig): Promise<Throughput & { device: string }> {
  const files = loadModelDir(cfg.modelDir as string, cfg.dtype);
  const tokenizer = createChatTokenizer(files);
  const { session, device } = await createInferenceSession(files.onnxPath, cfg.device, log);
  const sig = readDecoderSignature(session, files.config);
  const prompt = tokenizer.encode(tokenizer.renderChat(longPrompt));
  const run = async (useCache: boolean, tokens: number) => {
    const times: number[] = [];
    let last = performance.now();
    const gen = generateTokens(session, sig, prompt, { maxNewTokens: tokens, eosTokenIds: new Set(), sampler: createSampler({ temperature: 0, topP: 1 }), useCache });
    for await (const _ of gen) {
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    const [prefillMs = 0, ...decodeMs] = times;
    return { prefillMs, decodeMs: decodeMs.reduce((a, b) => a + b, 0), steps: decodeMs.length };
  };
  await run(true, 4);
  const cached = await run(true, DECODE_TOKENS);
  const recompute = await run(false, Math.max(8, Math.floor(DECODE_TOKENS / 4)));
  await session.release();
  return {
    device,
    promptTokens: prompt.length,
    prefillTokS: prompt.length / (cached.prefillMs / 1000),
    decodeTokS: cached.steps / (cached.decodeMs / 1000),
    recomputeTokS: recompute.steps / (recompute.decodeMs / 1000),
  };
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)] as number;

/** Alternates the two calls round by round so drifting machine load hits both alike; returns both medians. */
async function pairedMedians(inProcess: () => Promise<unknown>, overHttp: () => Promise<unknown>, rounds: number): Promise<[number, number]> {
  await inProcess();
  await overHttp();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    await inProcess();
    a.push(performance.now() - t);
    t = performance.now();
    await overHttp();
    b.push(performance.now() - t);
  }
  return [median(a), median(b)];
}

async function measureOverhead(local: LlmBackend): Promise<{ label: string; inProcessMs: number; httpMs: number }[]> {
  const server = http.createServer(express().use(createOpenAiRouter(local)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const remote = createOpenAiBackend({ ...baseConfig.model, backend: 'openai', baseUrl, apiKey: undefined, maxRetries: 0 }, log);
  const question: ChatMessage[] = [{ role: 'user', content: 'How many singers are there?' }];
  const drain = async (backend: LlmBackend) => {
    for await (const _ of backend.stream(question)) void _;
  };
  const [chatLocal, chatHttp] = await pairedMedians(() => local.chat(question), () => remote.chat(question), OVERHEAD_ROUNDS);
  const [streamLocal, streamHttp] = await pairedMedians(() => drain(local), () => drain(remote), OVERHEAD_ROUNDS);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  return [
    { label: 'chat (non-streaming)', inProcessMs: chatLocal, httpMs: chatHttp },
    { label: 'stream (SSE)', inProcessMs: streamLocal, httpMs: streamHttp },
  ];
}

const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(10);

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-bench-model-'));
  try {
    const tiny = buildTinyModelDir(path.join(tmp, 'tiny-random'));
    const scripted = buildTinyModelDir(path.join(tmp, 'tiny-scripted'), { script: 'SELECT COUNT(*) FROM singer' });
    const targets: [string, ModelConfig][] = [['tiny (2 layers, random)', { ...baseConfig.model, modelDir: tiny.dir, dtype: 'fp32', device: 'cpu' }]];
    if (baseConfig.model.modelDir !== undefined) targets.push([`MODEL_DIR ${path.basename(baseConfig.model.modelDir)} (${baseConfig.model.dtype})`, baseConfig.model]);
    else console.log('MODEL_DIR not set: only the tiny model is measured.\n');

    console.log(`Generation loop, greedy, ${DECODE_TOKENS} decode steps (node ${process.version}, ${os.cpus().length} CPUs)`);
    console.log(`${'model'.padEnd(36)}${'device'.padStart(8)}${'prompt'.padStart(8)}${'prefill/s'.padStart(10)}${'decode/s'.padStart(10)}${'no-cache/s'.padStart(11)}${'KV x'.padStart(8)}`);
    for (const [label, cfg] of targets) {
      const t = await measureLoop(cfg);
      console.log(`${label.padEnd(36)}${t.device.padStart(8)}${String(t.promptTokens).padStart(8)}${fmt(t.prefillTokS, 0)}${fmt(t.decodeTokS, 0)}${fmt(t.recomputeTokS, 0).padStart(11)}${fmt(t.decodeTokS / t.recomputeTokS, 2).padStart(8)}`);
    }

    const local = await createOnnxBackend({ ...baseConfig.model, modelDir: scripted.dir, dtype: 'fp32', device: 'cpu' }, log);
    console.log(`\nOpenAI endpoint overhead, tiny scripted model (5-token answer), median of ${OVERHEAD_ROUNDS} alternating rounds`);
    console.log(`${'call'.padEnd(24)}${'in-process ms'.padStart(14)}${'HTTP ms'.padStart(10)}${'ratio'.padStart(8)}`);
    for (const row of await measureOverhead(local)) {
      console.log(`${row.label.padEnd(24)}${fmt(row.inProcessMs, 2).padStart(14)}${fmt(row.httpMs, 2)}${fmt(row.httpMs / row.inProcessMs, 2).padStart(8)}`);
    }
    await local.close();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
