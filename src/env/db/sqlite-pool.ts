import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DatabaseUnavailableError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { QueryJob, QueryReply } from './sqlite-query.js';

/** What crosses the IPC channel to a worker: jobs it runs in order, answering each as it finishes. */
export interface WorkerJobs {
  jobs: { id: number; job: QueryJob }[];
}

/** What crosses the IPC channel from a worker. */
export type WorkerMessage = { type: 'ready' } | { type: 'reply'; id: number; reply: QueryReply };

/** A worker's answer, or why there is none. */
export type PoolOutcome = QueryReply | { ok: false; kind: 'timeout' } | { ok: false; kind: 'crashed'; message: string };

export interface SqlitePoolOptions {
  /** Worker processes kept running. */
  size: number;
  /** The most there may be while some run slow queries (≥ size). */
  maxSize: number;
  /** A query running longer than this stops holding one of the `size` places (see createSqlitePool). */
  slowMs: number;
}

export interface SqlitePool {
  /** Runs a job on the next free worker; the watchdog starts when a worker takes it. */
  run(job: QueryJob, timeoutMs: number): Promise<PoolOutcome>;
  /** Starts the workers now rather than on the first query; resolves when each is ready or gone. */
  warmUp(): Promise<void>;
  /** Process ids of the live workers. */
  pids(): number[];
  /** Kills every worker; queued and running jobs reject with DatabaseUnavailableError. Idempotent. */
  close(): Promise<void>;
}

interface Pending {
  id: number;
  job: QueryJob;
  timeoutMs: number;
  resolve(outcome: PoolOutcome): void;
  reject(err: Error): void;
}

interface Slot {
  child: ChildProcess;
  isReady: boolean;
  /** Jobs sent to this worker and not answered yet, in the order it runs them; the first one is running. */
  inFlight: Pending[];
  timer?: NodeJS.Timeout;
  /** Its running job passed slowMs: it no longer counts as one of the pool's places, and ends with that job. */
  isSlow: boolean;
}

const MAX_START_FAILURES = 3;
/**
 * At most this many jobs are sent to one worker at once, and only when the queue holds more than the idle workers
 * can take one by one. why: with one job per round trip, a worker sits idle from its reply until the busy main
 * thread reads it and sends the next job; under load that was most of its time. The price is that a slow query
 * delays the (at most PIPELINE_DEPTH − 1) jobs sent after it to the same worker, until it passes slowMs.
 */
const PIPELINE_DEPTH = 4;
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * The niceness of a worker running a slow query: while the cores are busy, the server and the quick queries come
 * first, and the slow query still gets ~10% of a busy core (nice 19 would leave it ~1.5%).
 */
const SLOW_WORKER_NICE = 10;

/** The worker module next to this one: the .ts under tsx/vitest (loaded with tsx), the .js once compiled. */
function workerEntry(): { modulePath: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const isTs = here.endsWith('.ts');
  const modulePath = path.join(path.dirname(here), isTs ? 'sqlite-worker.ts' : 'sqlite-worker.js');
  if (!isTs) return { modulePath, execArgv: [] };
  const tsxLoader = createRequire(import.meta.url).resolve('tsx/esm');
  return { modulePath, execArgv: ['--import', pathToFileURL(tsxLoader).href] };
}

/**
 * A pool of worker processes for SQLite queries. worker_threads cannot stop a running sqlite3_step and
 * better-sqlite3 exposes no interrupt, so the watchdog SIGKILLs the process and starts a fresh one. Under load a
 * worker gets a few jobs per message (PIPELINE_DEPTH); each job still has its own time limit.
 *
 * A query past `slowMs` no longer holds one of the `size` places: the jobs sent behind it go back to the head of
 * the queue, another worker starts (up to `maxSize` in all), and the slow one runs on at a lower CPU priority
 * until its query ends or times out, then it is stopped. So quick queries neither wait out a runaway query's time
 * limit nor share the cores with it.
 */
export function createSqlitePool(options: SqlitePoolOptions, log: Logger): SqlitePool {
  const { size, maxSize, slowMs } = options;
  const entry = workerEntry();
  const slots = new Set<Slot>();
  const queue: Pending[] = [];
  let isClosed = false;
  let startFailures = 0;
  let nextId = 1;

  function spawn(): void {
    const child = fork(entry.modulePath, [], {
      execArgv: entry.execArgv,
      // why: JSON IPC measured ~1.4x faster than 'advanced' for these small all-JSON messages (cells are text/number/null).
      serialization: 'json',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const slot: Slot = { child, isReady: false, inFlight: [], isSlow: false };
    slots.add(slot);
    // why: idle workers must not keep the parent alive; the channel is ref'd only while starting or busy.
    child.unref();
    child.on('message', (msg: WorkerMessage) => onMessage(slot, msg));
    child.on('exit', (code, signal) => retire(slot, `exited (${signal ?? `code ${code}`})`));
    child.on('error', (err) => retire(slot, `failed (${err.message})`));
  }

  /** Workers wanted: one place per `size`, plus one for each worker held by a slow query, at most maxSize. */
  function wanted(): number {
    let slow = 0;
    for (const slot of slots) if (slot.isSlow) slow += 1;
    return Math.min(maxSize, size + slow);
  }

  function topUp(): void {
    const target = wanted();
    while (!isClosed && slots.size < target) spawn();
  }

  function setBusy(slot: Slot, isBusy: boolean): void {
    if (isBusy) slot.child.channel?.ref();
    else slot.child.channel?.unref();
  }

  function onMessage(slot: Slot, msg: WorkerMessage): void {
    if (!slots.has(slot)) return;
    if (msg.type === 'ready') {
      slot.isReady = true;
      startFailures = 0;
    } else {
      const answered = slot.inFlight[0];
      if (answered === undefined || answered.id !== msg.id) return;
      slot.inFlight.shift();
      clearTimeout(slot.timer);
      answered.resolve(msg.reply);
      if (slot.isSlow) {
        // why: the jobs sent behind its slow one were queued again elsewhere, and its place is taken already.
        slots.delete(slot);
        slot.child.kill('SIGKILL');
        topUp();
        pump();
        return;
      }
      const next = slot.inFlight[0];
      // why from now: the worker starts the next job when it sends this reply, so its time limit runs from here.
      if (next !== undefined) {
        startWatchdog(slot, next);
        return;
      }
    }
    setBusy(slot, false);
    pump();
  }

  /** Removes a worker that died, timed out or failed, answers its running job, and starts a replacement. */
  function retire(slot: Slot, why: string, outcome?: PoolOutcome): void {
    if (!slots.delete(slot)) return;
    clearTimeout(slot.timer);
    slot.child.kill('SIGKILL');
    const [running, ...notStarted] = slot.inFlight.splice(0);
    // why: the jobs queued behind the running one never ran; they go back to the head of the queue, in order.
    queue.unshift(...notStarted);
    if (outcome === undefined) log.warn({ pid: slot.child.pid, why }, 'SQLite worker ended unexpectedly; replacing it');
    else log.debug({ pid: slot.child.pid, why }, 'SQLite worker stopped by the watchdog; replacing it');
    running?.resolve(outcome ?? { ok: false, kind: 'crashed', message: `The SQLite worker running this query ${why} and was replaced` });
    if (!slot.isReady) {
      // why: a worker that cannot start is retried only while queries wait, and at most MAX_START_FAILURES times.
      if (++startFailures >= MAX_START_FAILURES) {
        startFailures = 0;
        const err = new DatabaseUnavailableError(`SQLite worker processes fail to start (last: ${why})`);
        for (const p of queue.splice(0)) p.reject(err);
      }
      if (queue.length === 0) return;
    }
    topUp();
    pump();
  }

  /** Times the running job: first to slowMs (when that is shorter), then to its own limit. */
  function startWatchdog(slot: Slot, running: Pending): void {
    const startedMs = performance.now();
    if (slowMs < running.timeoutMs) slot.timer = setTimeout(() => onSlow(slot, running, startedMs), slowMs);
    else killAt(slot, running, startedMs);
  }

  function killAt(slot: Slot, running: Pending, startedMs: number): void {
    const delayMs = Math.min(Math.max(0, startedMs + running.timeoutMs - performance.now()), MAX_TIMER_MS);
    slot.timer = setTimeout(() => retire(slot, 'timed out', { ok: false, kind: 'timeout' }), delayMs);
  }

  /** The running job passed slowMs: free the jobs behind it, make room for another worker, and wait out its limit. */
  function onSlow(slot: Slot, running: Pending, startedMs: number): void {
    if (!slots.has(slot) || slot.inFlight[0] !== running) return;
    slot.isSlow = true;
    killAt(slot, running, startedMs);
    try {
      if (slot.child.pid !== undefined) os.setPriority(slot.child.pid, SLOW_WORKER_NICE);
    } catch (err) {
      log.debug({ err, pid: slot.child.pid }, 'could not lower the priority of a slow SQLite worker');
    }
    // why the worker need not know: it is stopped when this job ends, and what it answers after that is ignored.
    const notStarted = slot.inFlight.splice(1);
    queue.unshift(...notStarted);
    log.debug({ pid: slot.child.pid, slowMs, requeued: notStarted.length }, 'slow SQLite query; its worker no longer counts towards the pool');
    if (queue.length > 0) topUp();
    pump();
  }

  function assign(slot: Slot, jobs: Pending[]): void {
    slot.inFlight = jobs;
    setBusy(slot, true);
    startWatchdog(slot, jobs[0] as Pending);
    const message: WorkerJobs = { jobs: jobs.map((p) => ({ id: p.id, job: p.job })) };
    slot.child.send(message, (err) => {
      if (err === null) return;
      // why: the jobs never reached this (dead) worker, so they go back to the head of the queue.
      if (slot.inFlight === jobs) {
        slot.inFlight = [];
        queue.unshift(...jobs);
      }
      retire(slot, `could not take a query (${err.message})`);
    });
  }

  function pump(): void {
    const idle = [...slots].filter((slot) => slot.isReady && slot.inFlight.length === 0);
    idle.forEach((slot, i) => {
      if (queue.length === 0) return;
      const share = Math.min(PIPELINE_DEPTH, Math.ceil(queue.length / (idle.length - i)));
      assign(slot, queue.splice(0, share));
    });
  }

  return {
    run(job, timeoutMs) {
      if (isClosed) return Promise.reject(new DatabaseUnavailableError('The SQLite engine is closed'));
      topUp();
      return new Promise<PoolOutcome>((resolve, reject) => {
        queue.push({ id: nextId++, job, timeoutMs, resolve, reject });
        pump();
      });
    },
    async warmUp() {
      topUp();
      const starting = [...slots].filter((s) => !s.isReady);
      await Promise.all(starting.map((s) => new Promise((r) => s.child.once('message', r).once('exit', r))));
    },
    pids() {
      return [...slots].flatMap((s) => (s.child.pid === undefined ? [] : [s.child.pid]));
    },
    async close() {
      isClosed = true;
      const err = new DatabaseUnavailableError('The SQLite engine is closed');
      for (const p of queue.splice(0)) p.reject(err);
      const exits = [...slots].map((slot) => {
        clearTimeout(slot.timer);
        for (const p of slot.inFlight.splice(0)) p.reject(err);
        const hasExited = slot.child.exitCode !== null || slot.child.signalCode !== null;
        const exited = hasExited ? Promise.resolve() : new Promise<void>((r) => slot.child.once('exit', () => r()));
        // why: workers are unref'd; without a ref the loop may empty before 'exit' arrives and close() never resolves.
        slot.child.ref();
        slot.child.kill('SIGKILL');
        return exited;
      });
      slots.clear();
      await Promise.all(exits);
    },
  };
}
