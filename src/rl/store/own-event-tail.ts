import type { NewDecisionEvent, NewRewardEvent, PolicyEvent } from './policy-store.js';

/**
 * Decisions remembered for their reward and relabel events. An episode's reward comes at its next step, its relabels
 * at its end, at most 4 decisions back, so this covers ~1,000 episodes stepping at once; an event for an older
 * decision costs one database read. why not more: entries live for this many decisions, so each ends up in V8's
 * old generation. At 20,000 that was ~8 MB more for every major GC to mark, and under bench:server's load
 * (64 clients) 4,096 gave +7% steps/s and 6% less main-thread CPU a step.
 */
export const RECENT_DECISIONS_MAX = 4096;

/**
 * The events this store appended since it last read the log, kept in memory so that reading them back (which
 * the policy does after every write) needs no query while no other connection has written. The caller decides
 * "no other writer" (SQLite: PRAGMA data_version unchanged); anything unknown makes the tail invalid, and the
 * next read goes to the database.
 */
export class OwnEventTail {
  private events: PolicyEvent[] = [];
  /** Every event with id ≤ this was returned by a database read (or the tail is invalid when undefined). */
  private readUpTo: number | undefined;
  /** Recent decisions, for the x, arm and episode of their reward and relabel events (relabels follow rewards). */
  private readonly decisions = new Map<string, { x: number[]; armIndex: number; episodeId: string }>();

  constructor(private readonly recentDecisionsMax = RECENT_DECISIONS_MAX) {}

  recordDecision(id: number, e: NewDecisionEvent): void {
    this.remember(e.decisionId, { x: e.x, armIndex: e.armIndex, episodeId: e.episodeId });
    this.push({ id, kind: 'decision', decisionId: e.decisionId, episodeId: e.episodeId, armIndex: e.armIndex, value: null, x: e.x, payload: e.payload, tsMs: e.tsMs });
  }

  recordReward(id: number, e: NewRewardEvent): void {
    const decision = this.decisions.get(e.decisionId);
    if (decision === undefined) {
      this.readUpTo = undefined;
      return;
    }
    this.push({ id, kind: e.kind, decisionId: e.decisionId, episodeId: decision.episodeId, armIndex: decision.armIndex, value: e.value, x: decision.x, payload: e.payload, tsMs: e.tsMs });
  }

  /** The arm and episode of a recent decision (one that is committed), or undefined when it is not remembered. */
  decisionOf(decisionId: string): { armIndex: number; episodeId: string } | undefined {
    return this.decisions.get(decisionId);
  }

  /** The events after `afterId` from memory, or undefined when the database must be read. */
  read(afterId: number, limit: number, isUnchangedByOthers: boolean): PolicyEvent[] | undefined {
    if (!isUnchangedByOthers || this.readUpTo === undefined || afterId < this.readUpTo) return undefined;
    // why: events up to afterId are dropped, so an older afterId must go to the database from now on.
    this.events = this.events.filter((e) => e.id > afterId);
    this.readUpTo = afterId;
    return this.events.slice(0, limit);
  }

  /** Records what a database read returned: the tail restarts after it (a full page may have more behind it). */
  afterQuery(events: readonly PolicyEvent[], afterId: number, limit: number): void {
    for (const e of events) if (e.kind === 'decision') this.remember(e.decisionId, { x: e.x, armIndex: e.armIndex, episodeId: e.episodeId });
    this.events = [];
    this.readUpTo = events.length >= limit ? undefined : (events.at(-1)?.id ?? afterId);
  }

  private remember(decisionId: string, decision: { x: number[]; armIndex: number; episodeId: string }): void {
    this.decisions.set(decisionId, decision);
    if (this.decisions.size > this.recentDecisionsMax) this.decisions.delete(this.decisions.keys().next().value as string);
  }

  private push(event: PolicyEvent): void {
    if (this.readUpTo === undefined) return;
    const last = this.events.at(-1)?.id ?? this.readUpTo;
    // why: ids are assigned in commit order; a gap means someone else's event sits in between.
    if (event.id !== last + 1) this.readUpTo = undefined;
    else this.events.push(event);
  }
}
