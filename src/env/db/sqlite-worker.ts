/**
 * Entry of an SQLite worker process (forked by sqlite-pool.ts). It runs the jobs of each message in order,
 * sending each reply as soon as its query ends (the parent's watchdog times each job from the previous reply), and
 * may be SIGKILLed at any moment, so it holds nothing that needs a clean shutdown.
 */
import { createQueryRunner } from './sqlite-query.js';
import type { WorkerJobs, WorkerMessage } from './sqlite-pool.js';

const sendRaw = process.send?.bind(process);
if (sendRaw === undefined) throw new Error('sqlite-worker must be started by the SQLite pool (child_process.fork)');

const runner = createQueryRunner();

/** Quits without a word: the parent is gone, so there is no one to answer and nothing to clean up. */
function leave(): never {
  runner.close();
  process.exit(0);
}

function send(message: WorkerMessage): void {
  // why the callback: without one, a channel the parent closed (it exited while this worker started) raises an
  // unhandled ERR_IPC_CHANNEL_CLOSED with a stack trace on the server's stderr.
  if (!process.connected) leave();
  sendRaw?.(message, undefined, undefined, (err: Error | null) => {
    if (err !== null) leave();
  });
}

process.on('message', (msg: WorkerJobs) => {
  for (const { id, job } of msg.jobs) send({ type: 'reply', id, reply: runner.run(job) });
});

// why: when the parent dies the IPC channel closes; a worker must not outlive it.
process.on('disconnect', leave);

send({ type: 'ready' });
