/** What a scripted tiny model must say: after the prompt ends with `prefix`, emit `answer` then `eos`. */
export interface TinyScript {
  prefix: number[];
  answer: number[];
  eos: number;
}

/** One rule: when the last `context.length` tokens equal `context` (null = any token), the next token is `next`. */
export interface ScriptRule {
  context: (number | null)[];
  next: number;
}

const MAX_CONTEXT = 64;

function rulesFor(seq: number[], firstPos: number, k: number): ScriptRule[] {
  const rules: ScriptRule[] = [];
  for (let p = firstPos; p + 1 < seq.length; p++) {
    const context = Array.from({ length: k }, (_, j) => seq[p - k + 1 + j] ?? null);
    rules.push({ context, next: seq[p + 1] as number });
  }
  return rules;
}

function compatible(a: (number | null)[], b: (number | null)[]): boolean {
  return a.every((t, i) => t === null || b[i] === null || t === b[i]);
}

function isUnambiguous(rules: ScriptRule[]): boolean {
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i] as ScriptRule;
      const b = rules[j] as ScriptRule;
      if (a.next !== b.next && compatible(a.context, b.context)) return false;
    }
  }
  return true;
}

/**
 * The shortest context length k for which "last k tokens → next token" rules reproduce the script without
 * ambiguity, and those rules. Repeated tokens in the answer are fine; only a script that repeats itself for 64
 * tokens with different continuations is refused.
 */
export function scriptRules(script: TinyScript): ScriptRule[] {
  if (script.prefix.length === 0) throw new Error('tiny model script: the prompt prefix must not be empty');
  const seq = [...script.prefix, ...script.answer, script.eos];
  for (let k = 1; k <= MAX_CONTEXT; k++) {
    const rules = rulesFor(seq, script.prefix.length - 1, k);
    if (isUnambiguous(rules)) return rules;
  }
  throw new Error(`tiny model script: no context of up to ${MAX_CONTEXT} tokens tells the script's positions apart`);
}
