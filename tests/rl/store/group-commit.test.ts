import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_TURNS, GroupCommit } from '../../../src/rl/store/group-commit.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const dir = tmpDir('sre-group-commit-');
const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A file database with one table, a GroupCommit on it that counts its COMMITs, and a second connection to read. */
function setUp(name: string, maxTurns?: number) {
  const filePath = path.join(dir, `${name}.sqlite`);
  const db = new Database(filePath);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
  const reader = new Database(filePath, { readonly: true });
  open.push(db, reader);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const counts = { commits: 0, seconds: [] as number[] };
  const group = new GroupCommit(
    db,
    () => undefined,
    (seconds) => {
      counts.commits += 1;
      counts.seconds.push(seconds);
    },
    maxTurns,
  );
  const write = (v: number) => group.write(() => insert.run(v));
  const committedRows = () => reader.prepare('SELECT COUNT(*) FROM t').pluck().get() as number;
  return { group, write, counts, committedRows };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('commits a lone write at the end of the first turn that brings no other write', async () => {
    const { write, counts, committedRows } = setUp('lone');
    let turns = 0;
    let isCommitted = false;
    const written = write(1).then(() => (isCommitted = true));
    while (!isCommitted && turns < 10) {
      await nextTurn();
      turns += 1;
    }
    await written;
    expect(turns).toBeLessThanOrEqual(2);
    expect([counts.commits, committedRows()]).toEqual([1, 1]);
    // afterCommit is told how long the COMMIT took.
    expect(counts.seconds[0]).toBeGreaterThan(0);
    expect(counts.seconds[0]).toBeLessThan(5);
  });

  it(`keeps one transaction open for up to ${DEFAULT_MAX_TURNS} turns while each turn writes, resolving each write only once committed`, async () => {
    const { write, counts, committedRows } = setUp('busy');
    const writes: Promise<unknown>[] = [];
    const seenPerTurn: number[] = [];
    for (let turn = 0; turn < DEFAULT_MAX_TURNS + 2; turn++) {
      writes.push(write(turn), write(turn));
      seenPerTurn.push(committedRows());
      await nextTurn();
    }
    await Promise.all(writes);
    // The first group holds the writes of turns 0..3 and is committed at the end of turn 3; turns 4 and 5 make a second.
    expect(seenPerTurn).toEqual([0, 0, 0, 0, 2 * DEFAULT_MAX_TURNS, 2 * DEFAULT_MAX_TURNS]);
    expect([counts.commits, committedRows()]).toEqual([2, 2 * (DEFAULT_MAX_TURNS + 2)]);
  });

  it('with maxTurns 1 commits every turn that wrote', async () => {
    const { write, counts } = setUp('every-turn', 1);
    for (let turn = 0; turn < 3; turn++) {
      const written = [write(turn), write(turn)];
      await Promise.all(written);
    }
    expect(counts.commits).toBe(3);
  });

  it('flush() commits at once; a write after it opens the next group', async () => {
    const { group, write, counts, committedRows } = setUp('flush');
    const first = write(1);
    group.flush();
    expect(committedRows()).toBe(1);
    const second = write(2);
    await Promise.all([first, second]);
    expect([counts.commits, committedRows()]).toEqual([2, 2]);
    expect(group.holdsWriteLock).toBe(false);
  });
});
