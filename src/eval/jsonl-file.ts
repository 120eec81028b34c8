import fs from 'node:fs';
import path from 'node:path';
import { EpisodeRecordSchema, type EpisodeRecord } from './episode-record.js';

/** Appends one JSON line; one synchronous write, so an interrupted run leaves whole lines behind. */
export function appendJsonLine(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify(value)}\n`);
}

/**
 * The episodes of an episodes.jsonl, in file order ([] when it does not exist). A torn last line (a run killed
 * mid-write) is ignored; any other malformed line throws naming its line number.
 */
export function readEpisodeRecords(file: string): EpisodeRecord[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const records: EpisodeRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLast = lines.slice(index + 1).every((rest) => rest.trim() === '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      if (isLast) return;
      throw new Error(`${file}:${index + 1}: not JSON (${(err as Error).message})`);
    }
    const result = EpisodeRecordSchema.safeParse(parsed);
    if (!result.success) throw new Error(`${file}:${index + 1}: not an episode record (${result.error.issues[0]?.message ?? 'invalid'})`);
    records.push(result.data);
  });
  return records;
}

/** The last record of each question (a resumed run appends retries of failed episodes after them). */
export function latestByQuestion(records: EpisodeRecord[]): EpisodeRecord[] {
  const byId = new Map<string, EpisodeRecord>();
  for (const record of records) {
    byId.delete(record.question_id);
    byId.set(record.question_id, record);
  }
  return [...byId.values()];
}
