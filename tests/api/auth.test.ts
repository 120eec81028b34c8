import { beforeAll, describe, expect, it } from 'vitest';
import { WsEnvClient } from '../../src/client/index.js';
import { getJson, postJson, startTestService, type TestService } from '../helpers/server.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ API_TOKEN: 's3cret-token' });
});

describe('API_TOKEN', () => {
  it('leaves /health open', async () => {
    expect((await getJson(svc.baseUrl, '/health')).status).toBe(200);
  });

  it('refuses HTTP routes without the bearer token and accepts them with it', async () => {
    expect((await postJson(svc.baseUrl, '/reset', {})).status).toBe(401);
    expect((await postJson(svc.baseUrl, '/reset', {}, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await postJson(svc.baseUrl, '/reset', {}, { Authorization: 'Bearer s3cret-token' })).status).toBe(200);
  });

  it('refuses the WebSocket upgrade without the token and accepts it with it', async () => {
    await expect(WsEnvClient.connect(svc.baseUrl)).rejects.toMatchObject({ status: 401 });
    const client = await WsEnvClient.connect(svc.baseUrl, { token: 's3cret-token' });
    expect((await client.reset({})).done).toBe(false);
    await client.close();
  });
});
