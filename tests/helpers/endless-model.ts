import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EndlessModel {
  /** The OpenAI-compatible base URL (`…/v1`) for LLM_BASE_URL. */
  url: string;
  /** Requests received, and those whose client hung up before the end (every one, since none ends). */
  state: { requests: number; hangUps: number };
  /** The settings of a service whose model is this endpoint. */
  serviceEnv: Record<string, string>;
  close(): void;
}

/**
 * A stand-in for a paid OpenAI-compatible model that streams `SELECT ` pieces every 20 ms and never finishes, so a
 * test can stop a step mid-generation and see whether the server hung up on the model.
 */
export async function startEndlessModel(): Promise<EndlessModel> {
  const state = { requests: 0, hangUps: 0 };
  const server = http.createServer((req, res) => {
    state.requests += 1;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'endless', choices: [{ index: 0, delta: { content: 'SELECT ' }, finish_reason: null }] };
    const timer = setInterval(() => res.write(`data: ${JSON.stringify(chunk)}\n\n`), 20);
    res.on('close', () => {
      clearInterval(timer);
      if (!res.writableEnded) state.hangUps += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    state,
    serviceEnv: { MODEL_BACKEND: 'openai', LLM_BASE_URL: url, LLM_API_KEY: 'sk-test', LLM_MODEL: 'endless', LLM_MAX_RETRIES: '0' },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
