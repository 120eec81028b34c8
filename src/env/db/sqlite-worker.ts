/**
 * Entry of an SQLite worker process (forked by sqlite-pool.ts). It runs the jobs of each message in order,
 * sending each reply as soon as its query ends (the parent's watchdog times each job from the previous reply), and
 * may be SIGKILLed at any moment, so it holds nothing that needs a clean shutdown.
 */
import { createQueryRunner } from './sqlite-query.js';
import type { WorkerJobs, WorkerMessage } from './sqlite-pool.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('sqlite-worker must be started by the SQLite pool (child_process.fork)');

const runner = createQueryRunner();

process.on('message', (msg: WorkerJobs) => {
  for (const { id, job } of msg.jobs) send({ type: 'reply', id, reply: runner.run(job) } satisfies WorkerMessage);
});

// why: when the parent dies the IPC channel closes; a worker must not outlive it.
process.on('disconnect', () => {
  runner.close();
  process.exit(0);
});

send({ type: 'ready' } satisfies WorkerMessage);
