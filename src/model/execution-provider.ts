import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { InferenceSession, listSupportedBackends } from 'onnxruntime-node';
import type { ModelConfig } from '../config.js';
import { ConfigError, ModelUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';

export type ExecutionDevice = 'cuda' | 'cpu';

/**
 * Whether onnxruntime-node can even try CUDA: the binary lists the provider and its shared library was installed
 * (it is not by default: ONNXRUNTIME_NODE_INSTALL=skip, local-model.md §1.2).
 */
export function isCudaProviderInstalled(): boolean {
  if (!listSupportedBackends().some((b) => b.name === 'cuda')) return false;
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  const binDir = path.join(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
  return fs.existsSync(path.join(binDir, 'libonnxruntime_providers_cuda.so'));
}

// why: onnxruntime's own warnings go straight to stderr, around pino; errors still surface as exceptions.
const SESSION_OPTIONS: InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', logSeverityLevel: 3 };

async function openOn(modelPath: string, device: ExecutionDevice): Promise<InferenceSession> {
  const executionProviders = device === 'cuda' ? [{ name: 'cuda' as const, deviceId: 0 }] : ['cpu'];
  return InferenceSession.create(modelPath, { ...SESSION_OPTIONS, executionProviders });
}

async function openOnCpu(modelPath: string): Promise<InferenceSession> {
  try {
    return await openOn(modelPath, 'cpu');
  } catch (err) {
    throw new ConfigError([`${modelPath} could not be loaded by onnxruntime: ${(err as Error).message}`]);
  }
}

/**
 * Opens the model on the device MODEL_DEVICE asks for. 'auto' tries CUDA when it is installed and falls back to
 * CPU explicitly (onnxruntime throws instead of falling back); 'cuda' fails with ModelUnavailableError when CUDA
 * cannot start. The choice is logged.
 */
export async function createInferenceSession(
  modelPath: string,
  device: ModelConfig['device'],
  log: Logger,
): Promise<{ session: InferenceSession; device: ExecutionDevice }> {
  if (device === 'cpu') {
    log.info({ device: 'cpu', requested: device }, 'onnx session on CPU');
    return { session: await openOnCpu(modelPath), device: 'cpu' };
  }
  if (device === 'auto' && !isCudaProviderInstalled()) {
    log.info({ device: 'cpu', requested: device, reason: 'CUDA execution provider not installed' }, 'onnx session on CPU');
    return { session: await openOnCpu(modelPath), device: 'cpu' };
  }
  try {
    const session = await openOn(modelPath, 'cuda');
    log.info({ device: 'cuda', requested: device }, 'onnx session on CUDA');
    return { session, device: 'cuda' };
  } catch (err) {
    if (device === 'cuda') {
      throw new ModelUnavailableError(
        `MODEL_DEVICE=cuda but the CUDA execution provider could not start (${(err as Error).message}). Set MODEL_DEVICE=auto to fall back to CPU.`,
        err,
      );
    }
    log.warn({ err, device: 'cpu', requested: device }, 'CUDA execution provider failed to start; falling back to CPU');
    return { session: await openOnCpu(modelPath), device: 'cpu' };
  }
}
