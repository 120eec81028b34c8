import { afterAll } from 'vitest';
import { composeService, type Service } from '../../src/compose.js';
import { silentLogger } from './logs.js';
import { testConfig } from './test-config.js';
import { tmpDir } from './tmp-dir.js';

export interface TestService {
  service: Service;
  baseUrl: string;
  port: number;
}

/** A real service (SQLite demo DB in a temp data dir) listening on 127.0.0.1 at a free port; closed after the file. */
export async function startTestService(overrides: Record<string, string> = {}): Promise<TestService> {
  const config = testConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: tmpDir('sre-svc-'), SQL_WORKERS: '2', ...overrides });
  const service = await composeService(config, silentLogger());
  const address = await service.server.listen();
  afterAll(() => service.close());
  return { service, baseUrl: `http://127.0.0.1:${address.port}`, port: address.port };
}

/** POSTs JSON (or a raw string body) and returns status, parsed body and headers. */
export async function postJson(baseUrl: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return readAnswer(res);
}

export async function getJson(baseUrl: string, path: string, headers: Record<string, string> = {}) {
  return readAnswer(await fetch(`${baseUrl}${path}`, { headers }));
}

/** Status, body (parsed when it is JSON, else the text) and headers of an answer. */
async function readAnswer(res: Response) {
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // plain text stays text
  }
  return { status: res.status, body: json as any, headers: res.headers };
}
