import client from 'prom-client';
import type { InlineStats, ResultCacheStats, StepEvent, StepEventSink } from '../env/index.js';

/**
 * Buckets (seconds) for what stalls the event loop: GC pauses and policy-log commits. why not prom-client's GC
 * buckets: they start at 1 ms and jump to 10, and a step's tail latency under load is made of stalls of 1–10 ms.
 */
const STALL_BUCKETS = [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.1, 1];

/** Prometheus metrics of one server (own registry, so tests can run several servers in one process). */
export class Metrics {
  readonly registry = new client.Registry();
  private readonly steps = new client.Counter({ name: 'sre_steps_total', help: 'Steps run', labelNames: ['transport', 'outcome'], registers: [this.registry] });
  private readonly stepSeconds = new client.Histogram({
    name: 'sre_step_duration_seconds',
    help: 'Step latency',
    labelNames: ['transport'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly sqlSeconds = new client.Histogram({
    name: 'sre_sql_duration_seconds',
    help: 'Time spent executing agent SQL',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  private readonly errors = new client.Counter({ name: 'sre_sql_errors_total', help: 'Attempts by error class', labelNames: ['error_class'], registers: [this.registry] });
  private readonly arms = new client.Counter({ name: 'sre_arm_choices_total', help: 'Repair arms chosen by the policy', labelNames: ['arm'], registers: [this.registry] });
  readonly wsReadPauses = new client.Counter({
    name: 'sre_ws_read_pauses_total',
    help: 'Times a /ws client had too many messages unanswered and the server stopped reading from it until it caught up',
    registers: [this.registry],
  });
  readonly activeSessions = new client.Gauge({ name: 'sre_active_sessions', help: 'Live episodes', labelNames: ['transport'], registers: [this.registry] });
  private readonly policyCommitSeconds = new client.Histogram({
    name: 'sre_policy_commit_duration_seconds',
    help: "Write transactions of the policy log: a SQLite COMMIT on the event loop (with the WAL checkpoint when one is due), or a PostgreSQL batch's round trip",
    buckets: STALL_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    // why: process CPU and memory, event-loop lag and GC pauses (nodejs_gc_duration_seconds) show what stalls the
    // one thread that runs every episode.
    client.collectDefaultMetrics({ register: this.registry, gcDurationBuckets: STALL_BUCKETS });
  }

  /** One write transaction of the policy log (the store's onCommit). */
  observePolicyCommit(seconds: number): void {
    this.policyCommitSeconds.observe(seconds);
  }

  /**
   * A gauge set when scraped from what `read` returns, one series per key under the label `outcome`. why a gauge,
   * not a counter: the engine keeps the totals, and each only grows.
   */
  private outcomesOnScrape(name: string, help: string, read: () => Record<string, number> | undefined): void {
    new client.Gauge({
      name,
      help,
      labelNames: ['outcome'],
      registers: [this.registry],
      collect() {
        for (const [outcome, value] of Object.entries(read() ?? {})) this.set({ outcome }, value);
      },
    });
  }

  /** The SQLite engine's inline counts (sqlite-inline.ts). */
  watchSqliteInline(read: () => InlineStats | undefined): void {
    this.outcomesOnScrape(
      'sre_sqlite_inline_queries',
      'SQLite queries since start, by where they ran: answered on the main thread, outgrown (interrupted there, then run on a worker), passed (sent to a worker without trying)',
      () => {
        const stats = read();
        return stats && { answered: stats.answered, outgrown: stats.outgrown, passed: stats.passed };
      },
    );
  }

  /** The SQLite result cache's counts and size (sqlite-result-cache.ts). */
  watchSqliteResultCache(read: () => ResultCacheStats | undefined): void {
    this.outcomesOnScrape('sre_sqlite_result_cache_lookups', 'SQLite queries since start looked up in the result cache, by outcome: hit (answered from it) or miss (run)', () => {
      const stats = read();
      return stats && { hit: stats.hits, miss: stats.misses };
    });
    new client.Gauge({
      name: 'sre_sqlite_result_cache_bytes',
      help: 'Estimated size of the results the SQLite result cache holds',
      registers: [this.registry],
      collect() {
        const stats = read();
        if (stats !== undefined) this.set(stats.bytes);
      },
    });
  }

  readonly modelInfo = new client.Gauge({ name: 'sre_model_info', help: 'Configured model backend (value 1)', labelNames: ['backend', 'model', 'device'], registers: [this.registry] });

  /** Wraps a step event sink so the step's SQL time, error class and arm choice are counted. */
  observing(sink?: StepEventSink): StepEventSink {
    return (event: StepEvent) => {
      this.observe(event);
      sink?.(event);
    };
  }

  /** Times one step; call the returned function with its outcome. */
  startStep(transport: 'http' | 'ws' | 'sse'): (outcome: 'ok' | 'error') => void {
    const end = this.stepSeconds.startTimer({ transport });
    return (outcome) => {
      end();
      this.steps.inc({ transport, outcome });
    };
  }

  private observe(event: StepEvent): void {
    if (event.type === 'error') {
      this.errors.inc({ error_class: event.error_class });
      this.sqlSeconds.observe(event.sql_ms / 1000);
    } else if (event.type === 'success') {
      this.sqlSeconds.observe(event.sql_ms / 1000);
    } else if (event.type === 'rl_action') {
      this.arms.inc({ arm: event.arm });
    }
  }
}
