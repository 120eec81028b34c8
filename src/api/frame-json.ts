import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Observation, StepResult } from '../env/index.js';
import { toEnvelope } from './protocol.js';

/**
 * The UTF-8 JSON of reset/step replies. An observation repeats the same long texts step after step (schema_info,
 * and the schema again in the recommendation's system prompt): ~9 of a reply's ~11 KB, and escaping them was most
 * of what JSON.stringify spent on it. Strings this long are escaped and UTF-8 encoded once and their bytes reused;
 * the bytes are those of JSON.stringify(toEnvelope(result)), key order included.
 *
 * How: one JSON.stringify of the envelope with each long string replaced by a marker, then the markers' JSON
 * swapped for the cached bytes of the strings, in order. The marker holds a random id drawn at start-up, so no
 * agent-supplied text can forge it. Bytes rather than a string, so that the socket does not encode the long texts
 * again for every reply.
 */
const LONG_TEXT_CHARS = 1024;
const MARKER = `\u0000${randomUUID()}`;
const MARKER_JSON = JSON.stringify(MARKER);
const longTextJson = new LRUCache<string, Buffer>({ max: 1024, maxSize: 64 * 1024 * 1024, sizeCalculation: (json) => json.length });
const FRAME_HEAD = Buffer.from('{"type":"observation","data":');
const FRAME_TAIL = Buffer.from('}');

function textJson(text: string): Buffer {
  let json = longTextJson.get(text);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(text));
    longTextJson.set(text, json);
  }
  return json;
}

/** The envelope's JSON pieces, in order. */
function envelopePieces(result: StepResult): Buffer[] {
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
  const json = JSON.stringify(toEnvelope({ ...result, observation }));
  if (long.length === 0) return [Buffer.from(json)];
  const pieces = json.split(MARKER_JSON);
  const out: Buffer[] = [Buffer.from(pieces[0] ?? '')];
  for (let i = 1; i < pieces.length; i++) out.push(textJson(long[i - 1] ?? ''), Buffer.from(pieces[i] ?? ''));
  return out;
}

/** UTF-8 JSON of the OpenEnv envelope of a reset/step result: `{"observation":…,"reward":…,"done":…}`. */
export function envelopeJson(result: StepResult): Buffer {
  return Buffer.concat(envelopePieces(result));
}

/** The WebSocket frame (UTF-8 JSON text) of a reset/step result. */
export function observationFrameJson(result: StepResult): Buffer {
  return Buffer.concat([FRAME_HEAD, ...envelopePieces(result), FRAME_TAIL]);
}
