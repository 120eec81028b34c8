import { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  emptyCache,
  forward,
  generateTokens,
  halfToFloat,
  readDecoderSignature,
  type DecoderSignature,
} from '../../src/model/generation-loop.js';
import { argmax, createSampler } from '../../src/model/sampling.js';
import { buildTinyDecoder } from '../../src/model/tiny-model/tiny-decoder.js';

interface Loaded {
  session: InferenceSession;
  sig: DecoderSignature;
}

async function load(options: Parameters<typeof buildTinyDecoder>[0]): Promise<Loaded> {
  const session = await InferenceSession.create(buildTinyDecoder(options), { logSeverityLevel: 3 });
  return { session, sig: readDecoderSignature(session, {}) };
}

async function collect(gen: AsyncGenerator<number, string, undefined>): Promise<{ ids: number[]; finish: string }> {
  const ids: number[] = [];
  for (;;) {
    const step = await gen.next();
    if (step.done === true) return { ids, finish: step.value };
    ids.push(step.value);
  }
}

const greedy = createSampler({ temperature: 0, topP: 1 });
const prompt = [151644, 872, 198, 4858, 829, 151645, 198, 151644, 77091, 198];
const noEos = new Set<number>();
let fp32: Loaded;
let fp16: Loaded;
let scripted: Loaded;

describe('generation loop on a tiny decoder', () => {
  beforeAll(async () => {
    fp32 = await load({});
    fp16 = await load({ kvType: 'float16' });
    scripted = await load({ script: { prefix: [77091, 198], answer: [4858, 23989, 28671], eos: 151645 } });
  });
  afterAll(async () => {
    for (const m of [fp32, fp16, scripted]) await m?.session.release();
  });

  it('reads cache names, dtype and fixed dims from the session metadata', () => {
    expect(fp32.sig.kv).toEqual([
      { past: 'past_key_values.0.key', present: 'present.0.key' },
      { past: 'past_key_values.0.value', present: 'present.0.value' },
      { past: 'past_key_values.1.key', present: 'present.1.key' },
      { past: 'past_key_values.1.value', present: 'present.1.value' },
    ]);
    expect(fp32.sig).toMatchObject({ kvType: 'float32', kvHeads: 2, headDim: 8, hasPositionIds: true, hasLogitsToKeep: false });
    expect(fp16.sig.kvType).toBe('float16');
  });

  it('grows the cache by the fed tokens at every step', async () => {
    const first = await forward(fp32.session, fp32.sig, prompt, emptyCache(fp32.sig));
    expect(first.cache.length).toBe(prompt.length);
    expect(first.cache.tensors['past_key_values.0.key']?.dims).toEqual([1, 2, prompt.length, 8]);
    const second = await forward(fp32.session, fp32.sig, [argmax(first.logits)], first.cache);
    expect(second.cache.tensors['past_key_values.1.value']?.dims).toEqual([1, 2, prompt.length + 1, 8]);
    expect(first.logits).toHaveLength(151936);
  });

  it('decodes with the KV cache exactly as recomputing the whole sequence without it', async () => {
    const opts = { maxNewTokens: 16, eosTokenIds: noEos, sampler: greedy };
    const cached = await collect(generateTokens(fp32.session, fp32.sig, prompt, opts));
    const recomputed = await collect(generateTokens(fp32.session, fp32.sig, prompt, { ...opts, useCache: false }));
    expect(cached.ids).toHaveLength(16);
    expect(cached.ids).toEqual(recomputed.ids);
    expect(new Set(cached.ids).size).toBeGreaterThan(1);
  });

  it('gives a different answer when the cache is dropped (the cache is really used)', async () => {
    const withCache = await collect(generateTokens(fp32.session, fp32.sig, prompt, { maxNewTokens: 16, eosTokenIds: noEos, sampler: greedy }));
    const dropped: number[] = [];
    let step = await forward(fp32.session, fp32.sig, prompt, emptyCache(fp32.sig));
    for (let i = 0; i < 16; i++) {
      const id = argmax(step.logits);
      dropped.push(id);
      step = await forward(fp32.session, fp32.sig, [id], emptyCache(fp32.sig));
    }
    expect(dropped[0]).toBe(withCache.ids[0]);
    expect(dropped).not.toEqual(withCache.ids);
  });

  it('keeps an fp16 cache consistent with recomputation', async () => {
    const opts = { maxNewTokens: 12, eosTokenIds: noEos, sampler: greedy };
    const cached = await collect(generateTokens(fp16.session, fp16.sig, prompt, opts));
    const recomputed = await collect(generateTokens(fp16.session, fp16.sig, prompt, { ...opts, useCache: false }));
    expect(cached.ids).toEqual(recomputed.ids);
    const step = await forward(fp16.session, fp16.sig, prompt, emptyCache(fp16.sig));
    expect(step.cache.tensors['past_key_values.0.key']?.type).toBe('float16');
  });

  it('stops at an EOS id without yielding it, and reports stop, with or without the cache', async () => {
    const opts = { maxNewTokens: 20, eosTokenIds: new Set([151645]), sampler: greedy };
    const out = await collect(generateTokens(scripted.session, scripted.sig, prompt, opts));
    expect(out).toEqual({ ids: [4858, 23989, 28671], finish: 'stop' });
    expect(await collect(generateTokens(scripted.session, scripted.sig, prompt, { ...opts, useCache: false }))).toEqual(out);
  });

  it('stops at maxNewTokens and reports length', async () => {
    const out = await collect(generateTokens(scripted.session, scripted.sig, prompt, { maxNewTokens: 2, eosTokenIds: new Set([151645]), sampler: greedy }));
    expect(out).toEqual({ ids: [4858, 23989], finish: 'length' });
  });

  it('reproduces a sampled answer for the same seed and changes it for another seed', async () => {
    const sampled = (seed: number) =>
      collect(generateTokens(fp32.session, fp32.sig, prompt, { maxNewTokens: 10, eosTokenIds: noEos, sampler: createSampler({ temperature: 1, topP: 0.9, seed }) }));
    const a = await sampled(11);
    expect(await sampled(11)).toEqual(a);
    expect(await sampled(12)).not.toEqual(a);
  });

  it('stops between steps with an AbortError when the signal fires', async () => {
    const controller = new AbortController();
    const gen = generateTokens(fp32.session, fp32.sig, prompt, { maxNewTokens: 50, eosTokenIds: noEos, sampler: greedy, signal: controller.signal });
    await gen.next();
    await gen.next();
    controller.abort();
    await expect(gen.next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a graph without a KV cache as a ConfigError naming the problem', () => {
    const fake = { inputNames: ['input_ids', 'attention_mask'], outputNames: ['logits'], inputMetadata: [], outputMetadata: [], run: fp32.session.run.bind(fp32.session) };
    expect(() => readDecoderSignature(fake, {})).toThrow(/no past_key_values inputs/);
    expect(() => readDecoderSignature(fake, {})).toThrow(ConfigError);
  });

  it('converts half floats', () => {
    expect([0x3c00, 0xc000, 0x0000, 0x7bff, 0x0001].map(halfToFloat)).toEqual([1, -2, 0, 65504, 2 ** -24]);
  });
});
