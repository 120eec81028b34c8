import { WebSocketServer } from 'ws';

/**
 * The baseline of bench:server: a bare `ws` server that answers each frame at once, with a frame of the size the
 * environment's replies have (argv[2] bytes; without it, the frame it received).
 */
const replyBytes = Number(process.argv[2] ?? 0);
const reply = replyBytes > 0 ? JSON.stringify({ type: 'observation', data: { pad: 'x'.repeat(Math.max(0, replyBytes - 40)) } }) : undefined;
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', (ws) => ws.on('message', (data) => ws.send(reply ?? data)));
wss.on('listening', () => {
  const address = wss.address();
  console.log(`ECHO ${typeof address === 'object' && address !== null ? address.port : String(address)}`);
});
