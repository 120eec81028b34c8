import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Observation, StepResult } from '../env/index.js';
import { toEnvelope } from './protocol.js';

/**
 * The UTF-8 JSON of reset/step replies. An observation repeats the same long texts step after step (schema_info,
 * and the schema again in the recommendation's system prompt): ~9 of a reply's ~11 KB, and escaping them was most
 * of what JSON.stringify spent on it. Strings this long are escaped and UTF-8 encoded once and their bytes reused;
 * the bytes are those of JSON.stringify(toEnvelope(result)), key order included, with every non-ASCII character
 * escaped as \uXXXX (what Python's json.dumps writes by default).
 *
 * How: one JSON.stringify of the envelope with each long string replaced by a marker, then that JSON and the cached
 * bytes of the strings written in order into one buffer, each marker's place taken by its string. The marker holds
 * a random id drawn at start-up, so no agent-supplied text can forge it. Bytes rather than a string, so that the
 * socket does not encode the long texts again for every reply.
 *
 * why ASCII: one '…' in a system prompt made a client decode the whole reply into a two-byte string, and V8 parses
 * those ~2.5 times slower: in bench:server's load generator, JSON.parse of the 3 of 5 replies with one took more
 * than that of all the others.
 */
const LONG_TEXT_CHARS = 1024;
const MARKER = `\u0000${randomUUID()}`;
const MARKER_JSON = JSON.stringify(MARKER);
const longTextJson = new LRUCache<string, Buffer>({ max: 1024, maxSize: 64 * 1024 * 1024, sizeCalculation: (json) => json.length });
const FRAME_HEAD = Buffer.from('{"type":"observation","data":');
const FRAME_TAIL = Buffer.from('}');
const EMPTY = Buffer.alloc(0);
const NON_ASCII_ALL = /[\u0080-\uffff]/g;

/** `json` with each non-ASCII UTF-16 code unit written as a \uXXXX escape: the same JSON value, in ASCII. */
function asciiJson(json: string): string {
  // why byteLength: it tells an ASCII-only string ~5× faster than a regular-expression test (0.4 against 2 µs on 3 KB).
  if (Buffer.byteLength(json) === json.length) return json;
  return json.replace(NON_ASCII_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function textJson(text: string): Buffer {
  let json = longTextJson.get(text);
  if (json === undefined) {
    json = Buffer.from(asciiJson(JSON.stringify(text)));
    longTextJson.set(text, json);
  }
  return json;
}

/** The envelope's UTF-8 JSON, written once into one buffer between `head` and `tail`. */
function envelopeBytes(result: StepResult, head: Buffer = EMPTY, tail: Buffer = EMPTY): Buffer {
  const long: string[] = [];
  const marked = (text: string): string => {
    if (text.length < LONG_TEXT_CHARS) return text;
    long.push(text);
    return MARKER;
  };
  const observation: Observation = { ...result.observation, schema_info: marked(result.observation.schema_info) };
  const recommendation = observation.recommendation;
  if (recommendation !== null && recommendation !== undefined) {
    observation.recommendation = { ...recommendation, prompt: recommendation.prompt.map((message) => ({ ...message, content: marked(message.content) })) };
  }
  const json = asciiJson(JSON.stringify(toEnvelope({ ...result, observation })));
  const texts = long.map(textJson);
  // why json.length: it is ASCII, one byte a character.
  let size = head.length + json.length - texts.length * MARKER_JSON.length + tail.length;
  for (const text of texts) size += text.length;
  const out = Buffer.allocUnsafe(size);
  let at = head.copy(out, 0);
  let from = 0;
  for (const text of texts) {
    const marker = json.indexOf(MARKER_JSON, from);
    at += out.write(json.slice(from, marker), at, 'latin1');
    at += text.copy(out, at);
    from = marker + MARKER_JSON.length;
  }
  at += out.write(json.slice(from), at, 'latin1');
  tail.copy(out, at);
  return out;
}

/** UTF-8 JSON of the OpenEnv envelope of a reset/step result: `{"observation":…,"reward":…,"done":…}`. */
export function envelopeJson(result: StepResult): Buffer {
  return envelopeBytes(result);
}

/** The WebSocket frame (UTF-8 JSON text) of a reset/step result. */
export function observationFrameJson(result: StepResult): Buffer {
  return envelopeBytes(result, FRAME_HEAD, FRAME_TAIL);
}
