import { WebSocketServer } from 'ws';

/** The baseline of bench:server: a bare `ws` server that answers each frame with the same frame. */
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
wss.on('listening', () => {
  const address = wss.address();
  console.log(`ECHO ${typeof address === 'object' && address !== null ? address.port : String(address)}`);
});
