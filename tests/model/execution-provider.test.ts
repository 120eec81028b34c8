import { beforeAll, describe, expect, it } from 'vitest';
import { ModelUnavailableError } from '../../src/errors.js';
import { createInferenceSession, isCudaProviderInstalled } from '../../src/model/execution-provider.js';
import { memoryLogger } from '../helpers/logs.js';
import { tinyModelDir } from '../helpers/tiny-model.js';

let onnxPath: string;

describe('createInferenceSession', () => {
  beforeAll(() => {
    onnxPath = tinyModelDir().onnxPath;
  });

  it('with MODEL_DEVICE=auto runs on CUDA only when its provider is installed, else on CPU, and logs why', async () => {
    const { log, lines } = memoryLogger('info');
    const { session, device } = await createInferenceSession(onnxPath, 'auto', log);
    await session.release();
    const choice = lines().find((l) => l['device'] !== undefined);
    expect(choice).toMatchObject({ requested: 'auto', device });
    if (isCudaProviderInstalled()) {
      expect(['cuda', 'cpu']).toContain(device);
    } else {
      expect(device).toBe('cpu');
      expect(choice?.['reason']).toBe('CUDA execution provider not installed');
    }
  });

  it('with MODEL_DEVICE=cpu runs on the CPU', async () => {
    const { log, lines } = memoryLogger('info');
    const { session, device } = await createInferenceSession(onnxPath, 'cpu', log);
    await session.release();
    expect(device).toBe('cpu');
    expect(lines()[0]).toMatchObject({ device: 'cpu', requested: 'cpu' });
  });

  it.runIf(!isCudaProviderInstalled())('with MODEL_DEVICE=cuda on a host without CUDA fails with a clear ModelUnavailableError instead of silently using the CPU', async () => {
    const { log } = memoryLogger('info');
    const attempt = createInferenceSession(onnxPath, 'cuda', log);
    await expect(attempt).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(attempt).rejects.toThrow(/MODEL_DEVICE=cuda but the CUDA execution provider could not start .*Set MODEL_DEVICE=auto/);
  });
});
