/** TypeScript clients for sql-repair-env: HTTP (+SSE) and OpenEnv WebSocket. */
export { HttpEnvClient, type HttpClientOptions, type TaskListing } from './http-client.js';
export { WsEnvClient } from './ws-client.js';
export { ServerError, type Envelope } from './envelope.js';
