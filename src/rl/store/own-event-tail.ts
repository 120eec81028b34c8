import type { NewDecisionEvent, NewRewardEvent, PolicyEvent } from './policy-store.js';

/**
 * Decisions remembered for their reward and relabel events. An episode's reward comes at its next step, its relabels
 * at its end, at most 4 decisions back, so this covers ~1,000 episodes stepping at once; an event for an older
 * decision costs one database read. why not more: entries live for this many decisions, so each ends up in V8's
 * old generation. At 20,000 that was ~8 MB more for every major GC to mark, and under bench:server's load
 * (64 clients) 4,096 gave +7% steps/s and 6% less main-thread CPU a step.
 */
export const RECENT_DECISIONS_MAX = 4096;

/** Own events kept while no read confirms them; past this the oldest go (the next read fetches them instead). */
const OWN_EVENTS_MAX = 8192;

/**
 * The events this store appended since it last read the log, kept in memory so that reading them back (which
 * the policy does after every write) needs no query while no other writer has committed. The caller says whether
 * another writer may have committed since its last read (SQLite: PRAGMA data_version; PostgreSQL: LISTEN/NOTIFY);
 * ids say the rest: the log is known up to an id when the last read ended there or the own events after it follow
 * on without a gap, since ids are committed in order.
 *
 * Own events may be recorded while a read is in flight (PostgreSQL): those the read returned are dropped, the rest
 * are kept, and the tail serves reads again only if they follow on from where the read ended.
 */
export class OwnEventTail {
  /** Own events after `readUpTo`, in id order. */
  private events: PolicyEvent[] = [];
  /** Every event with id ≤ this was returned by a database read (undefined: no read yet, or a page was full). */
  private readUpTo: number | undefined;
  /** The highest id of an own event, kept in `events` or not (a reward for a forgotten decision is not). */
  private highestOwnId = 0;
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
      // why: the event exists but cannot be served without its decision's x, so reads must reach past it.
      this.highestOwnId = Math.max(this.highestOwnId, id);
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
    const knownUpTo = this.knownUpTo();
    if (!isUnchangedByOthers || knownUpTo === undefined || this.readUpTo === undefined || afterId < this.readUpTo || afterId > knownUpTo) return undefined;
    // why: events up to afterId are dropped, so an older afterId must go to the database from now on.
    this.events = this.events.filter((e) => e.id > afterId);
    this.readUpTo = afterId;
    return this.events.slice(0, limit);
  }

  /**
   * Records what a database read returned: the tail restarts after it (a full page may have more behind it).
   * Returns the id up to which the read returned every event, undefined after a full page.
   */
  afterQuery(events: readonly PolicyEvent[], afterId: number, limit: number): number | undefined {
    for (const e of events) if (e.kind === 'decision') this.remember(e.decisionId, { x: e.x, armIndex: e.armIndex, episodeId: e.episodeId });
    const readUpTo = events.length >= limit ? undefined : (events.at(-1)?.id ?? afterId);
    this.readUpTo = readUpTo;
    if (readUpTo !== undefined) this.events = this.events.filter((e) => e.id > readUpTo);
    return readUpTo;
  }

  /** The id up to which the whole log is known (the last read, then own events without a gap), if any. */
  private knownUpTo(): number | undefined {
    if (this.readUpTo === undefined) return undefined;
    const first = this.events[0];
    const last = this.events.at(-1);
    // why enough: ids in `events` increase, so the first following the read and the count spanning the range mean no gap.
    if (first !== undefined && last !== undefined && (first.id !== this.readUpTo + 1 || last.id !== this.readUpTo + this.events.length)) return undefined;
    const end = last?.id ?? this.readUpTo;
    return this.highestOwnId > end ? undefined : end;
  }

  private remember(decisionId: string, decision: { x: number[]; armIndex: number; episodeId: string }): void {
    this.decisions.set(decisionId, decision);
    if (this.decisions.size > this.recentDecisionsMax) this.decisions.delete(this.decisions.keys().next().value as string);
  }

  private push(event: PolicyEvent): void {
    this.highestOwnId = Math.max(this.highestOwnId, event.id);
    // why: a read in flight may have returned it already, and ids only grow.
    if ((this.readUpTo !== undefined && event.id <= this.readUpTo) || event.id <= (this.events.at(-1)?.id ?? -Infinity)) return;
    this.events.push(event);
    // why dropping the oldest is safe: the tail then no longer follows on from the last read, so reads go to the database.
    if (this.events.length > OWN_EVENTS_MAX) this.events.splice(0, OWN_EVENTS_MAX / 2);
  }
}
