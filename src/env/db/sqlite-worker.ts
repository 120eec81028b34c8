/**
 * Entry of an SQLite worker process (forked by sqlite-pool.ts). It answers one query at a time over IPC and
 * may be SIGKILLed at any moment by the parent's watchdog, so it holds nothing that needs a clean shutdown.
 */
import { createQueryRunner, type QueryJob } from './sqlite-query.js';
import type { WorkerMessage } from './sqlite-pool.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('sqlite-worker must be started by the SQLite pool (child_process.fork)');

const runner = createQueryRunner();

process.on('message', (msg: { id: number; job: QueryJob }) => {
  const reply: WorkerMessage = { type: 'reply', id: msg.id, reply: runner.run(msg.job) };
  send(reply);
});

// why: when the parent dies the IPC channel closes; a worker must not outlive it.
process.on('disconnect', () => {
  runner.close();
  process.exit(0);
});

send({ type: 'ready' } satisfies WorkerMessage);
