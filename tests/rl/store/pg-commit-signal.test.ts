import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { PgCommitSignal } from '../../../src/rl/store/pg-commit-signal.js';
import { describePg, PG_TEST_URL } from '../../helpers/pg.js';

describe('PostgreSQL commit signal without a server', () => {
  it('starts without throwing when it cannot connect, and sends every read to the database', async () => {
    // why port 1: nothing listens there, so the connection is refused at once.
    const signal = new PgCommitSignal('postgres://postgres@127.0.0.1:1/test', 'public', 'k');
    await signal.start();
    signal.readStarts();
    signal.readEnded(10);
    expect(signal.isUnchangedByOthers()).toBe(false);
    await signal.close();
  });
});

describePg('PostgreSQL commit signal', () => {
  it('asks for a database read once another process announces an id past the last read, and ignores its own', async () => {
    const signal = new PgCommitSignal(PG_TEST_URL, `signal_${process.pid}`, 'k');
    await signal.start();
    const notifier = new pg.Client({ connectionString: PG_TEST_URL });
    await notifier.connect();
    const untilAnnounced = (): Promise<void> => vi.waitFor(() => expect(signal.isUnchangedByOthers()).toBe(false), { timeout: 5000, interval: 5 });
    try {
      expect(signal.isUnchangedByOthers()).toBe(false);
      signal.readStarts();
      signal.readEnded(10);
      expect(signal.isUnchangedByOthers()).toBe(true);
      // One session's notifications arrive in order: once the second is seen, the first was too.
      await notifier.query(`NOTIFY ${signal.channel}, '${signal.token} 20'`);
      await notifier.query(`NOTIFY ${signal.channel}, 'another-process 11'`);
      await untilAnnounced();
      signal.readStarts();
      signal.readEnded(11);
      // Its own announcement of 20 did not count: a read up to 11 covers everything announced by others.
      expect(signal.isUnchangedByOthers()).toBe(true);
      // A payload it cannot read asks for one read, not for every read from then on.
      await notifier.query(`NOTIFY ${signal.channel}, 'another-process not-an-id'`);
      await untilAnnounced();
      signal.readStarts();
      signal.readEnded(11);
      expect(signal.isUnchangedByOthers()).toBe(true);
    } finally {
      await notifier.end();
      await signal.close();
    }
  });
});
