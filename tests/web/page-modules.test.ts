import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestService, type TestService } from '../helpers/server.js';

/** The viewer's browser modules that need no DOM, loaded as they are served (plain ES modules). */
const PUBLIC_DIR = path.join(import.meta.dirname, '..', '..', 'public');

interface SseParser {
  feed(text: string): void;
  end(): void;
}
interface ParsedSchema {
  tables: { name: string; columns: { name: string; type: string; isPrimaryKey: boolean }[] }[];
  foreignKeys: { table: string; column: string; refTable: string; refColumn: string }[];
  isTruncated: boolean;
}

let createSseParser: (onMessage: (m: { event: string; data: string }) => void) => SseParser;
let parseSchemaInfo: (text: string) => ParsedSchema;
let svc: TestService;
beforeAll(async () => {
  ({ createSseParser } = (await import(pathToFileURL(path.join(PUBLIC_DIR, 'sse.js')).href)) as { createSseParser: typeof createSseParser });
  ({ parseSchemaInfo } = (await import(pathToFileURL(path.join(PUBLIC_DIR, 'schema-view.js')).href)) as { parseSchemaInfo: typeof parseSchemaInfo });
  svc = await startTestService();
});

function parseAll(chunks: string[]): { event: string; data: string }[] {
  const messages: { event: string; data: string }[] = [];
  const parser = createSseParser((m) => messages.push(m));
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  return messages;
}

describe('the page SSE parser (public/sse.js)', () => {
  it('reads a real /step/stream body fed one character at a time exactly as eventsource-parser does', async () => {
    await postJson(svc.baseUrl, '/reset', { task_id: 'simple_queries', question_id: 'simple_queries/01', episode_id: 'page-sse' });
    const res = await fetch(`${svc.baseUrl}/step/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: { custom_sql: 'SELECT COUNT(*) FROM custmers' }, episode_id: 'page-sse' }),
    });
    const text = await res.text();
    const reference: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (m) => reference.push(m) });
    parser.feed(text);
    const ours = parseAll([...text]);
    expect(ours).toEqual(reference.map((m) => ({ event: m.event ?? 'message', data: m.data })));
    expect(ours.map((m) => m.event)).toEqual(['attempt_start', 'sql_complete', 'executing', 'error', 'rl_reward', 'rl_action', 'result']);
  });

  it('handles CRLF split across chunks, CR line ends, multi-line data, comments and an unterminated tail', () => {
    expect(parseAll(['event: a\r', '\ndata: 1\r\n\r', '\n: comment\rdata:x\rdata:  y\r\revent: lost\ndata: 2'])).toEqual([
      { event: 'a', data: '1' },
      { event: 'message', data: 'x\n y' },
    ]);
  });
});

describe('the page schema reader (public/schema-view.js)', () => {
  it('finds every table, column and inline REFERENCES of the demo schema_info', async () => {
    const reset = await postJson(svc.baseUrl, '/reset', { task_id: 'join_queries', question_id: 'join_queries/01' });
    const schema = parseSchemaInfo(reset.body.observation.schema_info as string);
    expect(schema.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['customers', 'orders', 'employees', 'payments']));
    const orders = schema.tables.find((t) => t.name === 'orders');
    expect(orders?.columns.slice(0, 3)).toEqual([
      { name: 'order_id', type: 'INTEGER', isPrimaryKey: true },
      { name: 'customer_id', type: 'INTEGER', isPrimaryKey: false },
      { name: 'employee_id', type: 'INTEGER', isPrimaryKey: false },
    ]);
    expect(schema.foreignKeys).toContainEqual({ table: 'orders', column: 'customer_id', refTable: 'customers', refColumn: 'customer_id' });
    expect(schema.foreignKeys).toContainEqual({ table: 'employees', column: 'manager_id', refTable: 'employees', refColumn: 'employee_id' });
    expect(schema.isTruncated).toBe(false);
  });

  it('reads Spider-style quoted names, composite primary keys and table-level FOREIGN KEY clauses', () => {
    const text = [
      'CREATE TABLE "singer_in_concert" (',
      '"concert_ID" int,',
      '"Singer_ID" text,',
      'PRIMARY KEY ("concert_ID","Singer_ID"),',
      'FOREIGN KEY ("concert_ID") REFERENCES `concert`("concert_ID"),',
      'FOREIGN KEY (`Singer_ID`) REFERENCES `singer`(`Singer_ID`)',
      ')',
      '',
      '/*',
      '3 rows from singer_in_concert table:',
      'concert_ID\tSinger_ID',
      '1\t2',
      '*/',
    ].join('\n');
    expect(parseSchemaInfo(text)).toEqual({
      tables: [
        {
          name: 'singer_in_concert',
          columns: [
            { name: 'concert_ID', type: 'int', isPrimaryKey: true },
            { name: 'Singer_ID', type: 'text', isPrimaryKey: true },
          ],
        },
      ],
      foreignKeys: [
        { table: 'singer_in_concert', column: 'concert_ID', refTable: 'concert', refColumn: 'concert_ID' },
        { table: 'singer_in_concert', column: 'Singer_ID', refTable: 'singer', refColumn: 'Singer_ID' },
      ],
      isTruncated: false,
    });
  });
});
