import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Observation, StepResult } from '../env/index.js';
import { toEnvelope } from './protocol.js';

/**
 * The JSON text of reset/step replies. An observation repeats the same long texts step after step (schema_info,
 * and the schema again in the recommendation's system prompt): ~9 of a reply's ~12 KB, and escaping them was most
 * of what JSON.stringify spent on it. Strings this long are escaped once and their JSON reused; the text is the
 * one JSON.stringify(toEnvelope(result)) writes, key order included.
 *
 * How: one JSON.stringify of the envelope with each long string replaced by a marker, then the markers' JSON
 * swapped for the cached JSON of the strings, in order. The marker holds a random id drawn at start-up, so no
 * agent-supplied text can forge it.
 */
const LONG_TEXT_CHARS = 1024;
const MARKER = `\u0000${randomUUID()}`;
const MARKER_JSON = JSON.stringify(MARKER);
const longTextJson = new LRUCache<string, string>({ max: 1024, maxSize: 64 * 1024 * 1024, sizeCalculation: (json) => json.length });

function textJson(text: string): string {
  let json = longTextJson.get(text);
  if (json === undefined) {
    json = JSON.stringify(text);
    longTextJson.set(text, json);
  }
  return json;
}

/** JSON of the OpenEnv envelope of a reset/step result: `{"observation":…,"reward":…,"done":…}`. */
export function envelopeJson(result: StepResult): string {
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
  if (long.length === 0) return json;
  const pieces = json.split(MARKER_JSON);
  let out = pieces[0] ?? '';
  for (let i = 1; i < pieces.length; i++) out += textJson(long[i - 1] ?? '') + (pieces[i] ?? '');
  return out;
}

/** The WebSocket frame of a reset/step result. */
export function observationFrameJson(result: StepResult): string {
  return `{"type":"observation","data":${envelopeJson(result)}}`;
}
