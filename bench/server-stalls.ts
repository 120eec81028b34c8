/**
 * What stalled the server's event loop during a bench round, from its /metrics before and after: garbage-collection
 * pauses (nodejs_gc_duration_seconds) and the policy log's commits (sre_policy_commit_duration_seconds; a SQLite
 * COMMIT runs the WAL checkpoint when one is due). A stall delays every step in flight, so these make the p99.
 */

export interface StallReading {
  minorGcs: number;
  minorGcSeconds: number;
  /** Major and incremental-marking pauses. */
  majorGcSeconds: number;
  commits: number;
  /** Commits that took more than 4 ms (the bucket le="0.004" holds the rest). */
  slowCommits: number;
}

/** Per second of a round. */
export interface StallRates {
  minorGcsPerSecond: number;
  minorGcMs: number;
  majorGcMsPerSecond: number;
  commitsPerSecond: number;
  slowCommitsPerSecond: number;
}

function sample(text: string, name: string, labels = ''): number {
  const escaped = `${name}${labels}`.replace(/[{}.]/g, (c) => `\\${c}`);
  return Number(new RegExp(`^${escaped} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? 0);
}

export async function readStalls(baseUrl: string): Promise<StallReading> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const gc = (suffix: string, kind: string) => sample(text, `nodejs_gc_duration_seconds_${suffix}`, `{kind="${kind}"}`);
  const commits = sample(text, 'sre_policy_commit_duration_seconds_count');
  return {
    minorGcs: gc('count', 'minor'),
    minorGcSeconds: gc('sum', 'minor'),
    majorGcSeconds: gc('sum', 'major') + gc('sum', 'incremental'),
    commits,
    slowCommits: commits - sample(text, 'sre_policy_commit_duration_seconds_bucket', '{le="0.004"}'),
  };
}

export function stallRates(before: StallReading, after: StallReading, seconds: number): StallRates {
  const minorGcs = after.minorGcs - before.minorGcs;
  return {
    minorGcsPerSecond: minorGcs / seconds,
    minorGcMs: minorGcs === 0 ? 0 : ((after.minorGcSeconds - before.minorGcSeconds) * 1000) / minorGcs,
    majorGcMsPerSecond: ((after.majorGcSeconds - before.majorGcSeconds) * 1000) / seconds,
    commitsPerSecond: (after.commits - before.commits) / seconds,
    slowCommitsPerSecond: (after.slowCommits - before.slowCommits) / seconds,
  };
}
