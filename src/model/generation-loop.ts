import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { ConfigError } from '../errors.js';
import { throwIfAborted } from './abort.js';
import type { FinishReason } from './index.js';
import type { DecoderJsonConfig } from './model-dir.js';
import type { Sampler } from './sampling.js';

/** The part of an onnxruntime session the loop uses. */
export type DecoderSession = Pick<InferenceSession, 'inputNames' | 'outputNames' | 'inputMetadata' | 'outputMetadata' | 'run'>;

/** What the loop must know about a decoder graph, read from its metadata (local-model.md §2.1). */
export interface DecoderSignature {
  /** Cache inputs and the outputs that feed them on the next step. */
  kv: { past: string; present: string }[];
  kvType: 'float32' | 'float16';
  kvHeads: number;
  headDim: number;
  hasPositionIds: boolean;
  hasLogitsToKeep: boolean;
  hasUseCacheBranch: boolean;
}

/** Per-sequence key/value cache: the tensors for the next step's past_key_values inputs. */
export interface KvCache {
  readonly length: number;
  readonly tensors: Readonly<Record<string, Tensor>>;
}

const PAST_PREFIX = 'past_key_values.';
const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'position_ids', 'num_logits_to_keep', 'use_cache_branch']);

function tensorMeta(session: DecoderSession, name: string): { type: string; shape: readonly (number | string)[] } | undefined {
  const meta = session.inputMetadata.find((m) => m.name === name);
  return meta?.isTensor === true ? { type: meta.type, shape: meta.shape } : undefined;
}

function dimOr(value: number | string | undefined, fallback: number | undefined): number | undefined {
  return typeof value === 'number' && value > 0 ? value : fallback;
}

/** Reads cache names, dtype and fixed dims from the session, falling back to config.json; ConfigError if not a decoder. */
export function readDecoderSignature(session: DecoderSession, config: DecoderJsonConfig): DecoderSignature {
  const problems: string[] = [];
  for (const name of ['input_ids', 'attention_mask']) if (!session.inputNames.includes(name)) problems.push(`the graph has no input '${name}'`);
  if (!session.outputNames.includes('logits')) problems.push("the graph has no output 'logits'");
  const pasts = session.inputNames.filter((n) => n.startsWith(PAST_PREFIX));
  const kv = pasts.map((past) => ({ past, present: `present.${past.slice(PAST_PREFIX.length)}` }));
  for (const { present } of kv) if (!session.outputNames.includes(present)) problems.push(`the graph has no output '${present}'`);
  const unknown = session.inputNames.filter((n) => !KNOWN_INPUTS.has(n) && !n.startsWith(PAST_PREFIX));
  if (unknown.length > 0) problems.push(`unsupported graph inputs: ${unknown.join(', ')}`);
  if (kv.length === 0) problems.push('the graph has no past_key_values inputs (a decoder export with a KV cache is required)');
  const first = kv[0] === undefined ? undefined : tensorMeta(session, kv[0].past);
  const kvType = first?.type ?? 'float32';
  if (kvType !== 'float32' && kvType !== 'float16') problems.push(`unsupported cache dtype ${kvType}`);
  const heads = config.num_attention_heads;
  const kvHeads = dimOr(first?.shape[1], config.num_key_value_heads ?? heads);
  const fallbackHeadDim = config.head_dim ?? (config.hidden_size !== undefined && heads !== undefined ? config.hidden_size / heads : undefined);
  const headDim = dimOr(first?.shape[3], fallbackHeadDim);
  if (kv.length > 0 && (kvHeads === undefined || headDim === undefined)) problems.push('cannot tell the cache shape from the graph or config.json');
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `model graph: ${p}`));
  return {
    kv,
    kvType: kvType as 'float32' | 'float16',
    kvHeads: kvHeads as number,
    headDim: headDim as number,
    hasPositionIds: session.inputNames.includes('position_ids'),
    hasLogitsToKeep: session.inputNames.includes('num_logits_to_keep'),
    hasUseCacheBranch: session.inputNames.includes('use_cache_branch'),
  };
}

/** A zero-length cache ([1, kvHeads, 0, headDim]) for the prefill step. */
export function emptyCache(sig: DecoderSignature): KvCache {
  const dims = [1, sig.kvHeads, 0, sig.headDim];
  const tensors: Record<string, Tensor> = {};
  for (const { past } of sig.kv) {
    tensors[past] = sig.kvType === 'float16' ? new Tensor('float16', new Uint16Array(0), dims) : new Tensor('float32', new Float32Array(0), dims);
  }
  return { length: 0, tensors };
}

function int64(values: Iterable<number>, dims: number[]): Tensor {
  return new Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

/** IEEE 754 half → float. */
export function halfToFloat(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function lastLogitsRow(logits: Tensor): Float32Array {
  const vocab = logits.dims.at(-1) ?? 0;
  const rows = logits.dims.at(-2) ?? 1;
  const start = (rows - 1) * vocab;
  const data = logits.data;
  if (data instanceof Float32Array) return data.slice(start, start + vocab);
  const out = new Float32Array(vocab);
  const isHalfBits = data instanceof Uint16Array;
  for (let i = 0; i < vocab; i++) {
    const v = (data as ArrayLike<number>)[start + i] as number;
    out[i] = isHalfBits ? halfToFloat(v) : v;
  }
  return out;
}

/** One forward pass of `ids` after `cache`; returns the last position's logits and the grown cache. */
export async function forward(session: DecoderSession, sig: DecoderSignature, ids: readonly number[], cache: KvCache): Promise<{ logits: Float32Array; cache: KvCache }> {
  const n = ids.length;
  const total = cache.length + n;
  const feeds: Record<string, Tensor> = {
    input_ids: int64(ids, [1, n]),
    attention_mask: int64(new Array<number>(total).fill(1), [1, total]),
    ...cache.tensors,
  };
  if (sig.hasPositionIds) feeds['position_ids'] = int64(Array.from({ length: n }, (_, i) => cache.length + i), [1, n]);
  if (sig.hasLogitsToKeep) feeds['num_logits_to_keep'] = int64([1], []);
  if (sig.hasUseCacheBranch) feeds['use_cache_branch'] = new Tensor('bool', Uint8Array.of(cache.length > 0 ? 1 : 0), [1]);
  const out = await session.run(feeds);
  const tensors: Record<string, Tensor> = {};
  for (const { past, present } of sig.kv) tensors[past] = out[present] as Tensor;
  return { logits: lastLogitsRow(out['logits'] as Tensor), cache: { length: total, tensors } };
}

export interface GenerateOptions {
  maxNewTokens: number;
  eosTokenIds: ReadonlySet<number>;
  sampler: Sampler;
  /** Checked before and after every forward pass. */
  signal?: AbortSignal;
  /** Runs each forward pass; the backend passes its request queue so concurrent generations interleave. */
  schedule?: <T>(step: () => Promise<T>, signal?: AbortSignal) => Promise<T>;
  /** false recomputes the whole sequence every step: the reference the cached path must equal. */
  useCache?: boolean;
}

/** Yields generated token ids (EOS excluded); returns 'stop' on EOS, 'length' at maxNewTokens. */
export async function* generateTokens(session: DecoderSession, sig: DecoderSignature, promptIds: readonly number[], opts: GenerateOptions): AsyncGenerator<number, FinishReason, undefined> {
  if (promptIds.length === 0) throw new RangeError('generateTokens needs at least one prompt token');
  const schedule = opts.schedule ?? (<T>(step: () => Promise<T>) => step());
  const isCached = opts.useCache ?? true;
  const all = [...promptIds];
  let input: readonly number[] = promptIds;
  let cache = emptyCache(sig);
  for (let produced = 0; produced < opts.maxNewTokens; produced++) {
    throwIfAborted(opts.signal);
    const step = await schedule(() => forward(session, sig, isCached ? input : all, isCached ? cache : emptyCache(sig)), opts.signal);
    throwIfAborted(opts.signal);
    cache = step.cache;
    const id = opts.sampler(step.logits);
    if (opts.eosTokenIds.has(id)) return 'stop';
    yield id;
    all.push(id);
    input = [id];
  }
  return 'length';
}
