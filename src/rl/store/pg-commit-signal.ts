import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../logger.js';

/** Tries to listen again after this long, doubling while it fails, up to the most. */
const RECONNECT_MS = 1000;
const RECONNECT_MAX_MS = 30_000;

/** The LISTEN/NOTIFY channel of one policy in one schema. */
export function policyChannel(schema: string, policyKey: string): string {
  // why a hash: a channel is an identifier of at most 63 bytes; one per policy, so others' policies stay quiet.
  return `sre_policy_${createHash('sha256').update(`${schema} ${policyKey}`).digest('hex').slice(0, 24)}`;
}

/**
 * Whether another process may have committed events of a policy that this one has not read yet, through
 * PostgreSQL's LISTEN/NOTIFY: every append transaction notifies the policy's channel with its process's token and
 * the highest id it wrote (append_events in pg-policy-store.ts), and another token with an id past this process's
 * last read means "read the database next time". It is what PRAGMA data_version is to the SQLite store: with it, a
 * process reads back its own events from memory (OwnEventTail) instead of querying for them after every append. A
 * notification arrives within a millisecond or so of its commit, so another process's events may be seen that much
 * later than with a query, which a bandit does not mind (repair-policy.md §1.4).
 *
 * While the listening connection is down or cannot be opened (and until a read starts after it listens again) every
 * read goes to the database: slower, never wrong. It tries again after 1 s, then 2, 4… up to 30 s.
 */
export class PgCommitSignal {
  /** This process's token in the notifications (the channel's payload is `<token> <highest id written>`). */
  readonly token = randomUUID();
  readonly channel: string;
  private client: pg.Client | undefined;
  private isListening = false;
  /** Commits may have gone unannounced (not listening then): the next read must go to the database. */
  private mustRead = true;
  /** The highest id other processes announced, and the end of this process's last database read. */
  private othersUpTo = 0;
  private readUpTo = 0;
  private isClosed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** The wait before the next try; RECONNECT_MS again once listening. */
  private reconnectMs = RECONNECT_MS;

  constructor(
    private readonly connectionString: string,
    schema: string,
    policyKey: string,
    private readonly log?: Logger,
  ) {
    this.channel = policyChannel(schema, policyKey);
  }

  /** Connects and listens; resolves once listening, or once a try failed (the next is scheduled). */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    this.client = client;
    client.on('notification', (msg) => {
      const [token, idText] = (msg.payload ?? '').split(' ');
      if (token === this.token) return;
      const id = Number(idText);
      // why: a payload this version does not understand still means "someone committed": read once, then carry on.
      if (Number.isSafeInteger(id)) this.othersUpTo = Math.max(this.othersUpTo, id);
      else this.mustRead = true;
    });
    const lost = (err?: Error): void => {
      if (this.client !== client) return;
      this.client = undefined;
      this.isListening = false;
      this.mustRead = true;
      client.end().catch(() => undefined);
      this.tryAgainLater(err);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      lost(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (this.client !== client) return;
    if (this.reconnectMs > RECONNECT_MS) this.log?.info({ mod: 'rl.store.pg', channel: this.channel }, 'policy store notification connection back');
    this.reconnectMs = RECONNECT_MS;
    // why: commits made while it was not listening went unannounced.
    this.mustRead = true;
    this.isListening = true;
  }

  private tryAgainLater(err?: Error): void {
    if (this.isClosed || this.reconnectTimer !== undefined) return;
    // why once per outage: a server that cannot listen retries for as long as it runs.
    const log = this.reconnectMs === RECONNECT_MS ? this.log?.warn.bind(this.log) : this.log?.debug.bind(this.log);
    log?.({ err, mod: 'rl.store.pg', retryMs: this.reconnectMs }, 'policy store notification connection down; reading the log from the database until it is back');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.start();
    }, this.reconnectMs);
    this.reconnectTimer.unref();
    this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MAX_MS);
  }

  /** True while listening and every event other processes announced was returned by a database read. */
  isUnchangedByOthers(): boolean {
    return this.isListening && !this.mustRead && this.othersUpTo <= this.readUpTo;
  }

  /** A database read starts now: it sees every commit made so far, announced or not. */
  readStarts(): void {
    if (this.isListening) this.mustRead = false;
  }

  /** A database read returned every event up to `upTo` (undefined: a full page, more may follow). */
  readEnded(upTo: number | undefined): void {
    if (upTo !== undefined) this.readUpTo = Math.max(this.readUpTo, upTo);
  }

  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.isListening = false;
    await client?.end().catch(() => undefined);
  }
}
