/** Turns generated token ids into text chunks, holding back partial UTF-8 and possible stop-string prefixes. */
export interface TextAssembler {
  /** Adds a token; returns the text now safe to emit, and whether a stop string has appeared. */
  push(id: number): { chunk: string; isStopped: boolean };
  /** After the last token: the text still held back (empty when a stop string ended generation). */
  flush(): string;
  /** The answer so far (up to a stop string, if one appeared). */
  readonly text: string;
  readonly tokenCount: number;
}

function heldBackLength(text: string, stops: readonly string[]): number {
  let held = 0;
  for (const stop of stops) {
    for (let n = Math.min(stop.length - 1, text.length); n > held; n--) {
      if (text.endsWith(stop.slice(0, n))) {
        held = n;
        break;
      }
    }
  }
  return held;
}

/** `decode` maps all ids so far to text; decoding the whole sequence keeps multi-token characters intact. */
export function createTextAssembler(decode: (ids: readonly number[]) => string, stops: readonly string[] = []): TextAssembler {
  const activeStops = stops.filter((s) => s.length > 0);
  const ids: number[] = [];
  let emitted = 0;
  let full = '';
  let stoppedAt: number | undefined;

  const push = (id: number): { chunk: string; isStopped: boolean } => {
    if (stoppedAt !== undefined) return { chunk: '', isStopped: true };
    ids.push(id);
    full = decode(ids);
    const hits = activeStops.map((s) => full.indexOf(s)).filter((i) => i >= 0);
    if (hits.length > 0) {
      stoppedAt = Math.max(Math.min(...hits), emitted);
      const chunk = full.slice(emitted, stoppedAt);
      emitted = stoppedAt;
      return { chunk, isStopped: true };
    }
    if (full.endsWith('\uFFFD')) return { chunk: '', isStopped: false };
    const safe = full.length - heldBackLength(full, activeStops);
    const chunk = safe > emitted ? full.slice(emitted, safe) : '';
    emitted = Math.max(emitted, safe);
    return { chunk, isStopped: false };
  };

  const flush = (): string => {
    const end = stoppedAt ?? full.length;
    const rest = full.slice(emitted, end);
    emitted = end;
    return rest;
  };

  return {
    push,
    flush,
    get text() {
      return full.slice(0, stoppedAt ?? full.length);
    },
    get tokenCount() {
      return ids.length;
    },
  };
}
