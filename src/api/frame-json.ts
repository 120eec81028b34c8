import { LRUCache } from 'lru-cache';
import type { Recommendation, StepResult } from '../env/index.js';
import { toEnvelope } from './protocol.js';

/**
 * The JSON text of reset/step replies. An observation repeats the same long texts step after step (schema_info,
 * and the schema again in the recommendation's system prompt): ~9 of a reply's ~12 KB, and escaping them was most
 * of what JSON.stringify spent on it. Strings this long are escaped once and their JSON reused; the text is the
 * one JSON.stringify(toEnvelope(result)) writes, key order included.
 */
const LONG_TEXT_CHARS = 1024;
const longTextJson = new LRUCache<string, string>({ max: 1024, maxSize: 64 * 1024 * 1024, sizeCalculation: (json) => json.length });

function textJson(text: string): string {
  if (text.length < LONG_TEXT_CHARS) return JSON.stringify(text);
  let json = longTextJson.get(text);
  if (json === undefined) {
    json = JSON.stringify(text);
    longTextJson.set(text, json);
  }
  return json;
}

/** `{…}` from the object's own keys in order; a member whose JSON is undefined is left out, as JSON.stringify does. */
function objectJson(value: object, memberJson: (key: string, member: unknown) => string | undefined): string {
  const parts: string[] = [];
  for (const [key, member] of Object.entries(value)) {
    const json = memberJson(key, member);
    if (json !== undefined) parts.push(`${JSON.stringify(key)}:${json}`);
  }
  return `{${parts.join(',')}}`;
}

const plainOrTextJson = (_key: string, member: unknown): string | undefined => (typeof member === 'string' ? textJson(member) : JSON.stringify(member));

function recommendationJson(recommendation: Recommendation): string {
  return objectJson(recommendation, (key, member) =>
    key === 'prompt' && Array.isArray(member) ? `[${member.map((message: object) => objectJson(message, plainOrTextJson)).join(',')}]` : JSON.stringify(member),
  );
}

/** JSON of the OpenEnv envelope of a reset/step result: `{"observation":…,"reward":…,"done":…}`. */
export function envelopeJson(result: StepResult): string {
  const envelope = toEnvelope(result);
  return objectJson(envelope, (key, member) =>
    key === 'observation'
      ? objectJson(envelope.observation, (field, value) => (field === 'recommendation' && value !== null && typeof value === 'object' ? recommendationJson(value as Recommendation) : plainOrTextJson(field, value)))
      : JSON.stringify(member),
  );
}

/** The WebSocket frame of a reset/step result. */
export function observationFrameJson(result: StepResult): string {
  return `{"type":"observation","data":${envelopeJson(result)}}`;
}
