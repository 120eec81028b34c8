import { z } from 'zod';
import { ActionSchema, ResetOptionsSchema, type StepResult } from '../env/index.js';
import { RequestValidationError, type ValidationIssue } from '../errors.js';

/** HTTP /reset body (OpenEnv ResetRequest: extra keys allowed and ignored). */
export const ResetRequestSchema = ResetOptionsSchema.loose();

/** HTTP /step body (OpenEnv StepRequest plus our episode_id). */
export const StepRequestSchema = z.looseObject({
  action: z.record(z.string(), z.unknown()),
  timeout_s: z.number().gt(0).nullable().optional(),
  request_id: z.string().max(255).nullable().optional(),
  episode_id: z.string().min(1).max(255).optional(),
});

/** Incoming WS frames: strict, one of reset/step/state/close/mcp. */
export const WsMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('reset'), data: z.record(z.string(), z.unknown()).default({}) }),
  z.strictObject({ type: z.literal('step'), data: z.record(z.string(), z.unknown()) }),
  z.strictObject({ type: z.literal('state') }),
  z.strictObject({ type: z.literal('close') }),
  z.strictObject({ type: z.literal('mcp'), data: z.record(z.string(), z.unknown()) }),
]);
export type WsMessage = z.infer<typeof WsMessageSchema>;
export const WS_MESSAGE_TYPES = ['reset', 'step', 'state', 'close', 'mcp'];

/** The OpenEnv envelope: observation without done/reward/metadata, then reward and done. */
export function toEnvelope(result: StepResult): { observation: StepResult['observation']; reward: number | null; done: boolean } {
  return { observation: result.observation, reward: result.reward, done: result.done };
}

/**
 * Parses with zod and throws RequestValidationError with pydantic-shaped issues.
 * `locPrefix` is ['body'] for HTTP bodies and [] for actions (OpenEnv reports action errors without 'body').
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, locPrefix: (string | number)[]): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // why a second parse for the issues: with `reportInput` zod 4 leaves its compiled fast path, and a valid message
  // (nearly every one) cost ~1.3 µs more to parse, twice a WebSocket step.
  const reported = schema.safeParse(input, { reportInput: true });
  const issues = reported.success ? parsed.error.issues : reported.error.issues;
  throw new RequestValidationError(issues.flatMap((issue) => toValidationIssues(issue, locPrefix)));
}

function toValidationIssues(issue: z.core.$ZodIssue, locPrefix: (string | number)[]): ValidationIssue[] {
  const loc = [...locPrefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const input = issue.input;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ type: 'extra_forbidden', loc: [...loc, key], msg: 'Extra inputs are not permitted', input: (input as Record<string, unknown> | undefined)?.[key] }));
    case 'invalid_type':
      if (input === undefined) return [{ type: 'missing', loc, msg: 'Field required', input: {} }];
      return [{ type: typeNameOf(issue.expected), loc, msg: `Input should be a valid ${readableType(issue.expected)}`, input }];
    case 'too_small':
      return [tooSmall(issue, loc)];
    case 'too_big':
      return [{ type: issue.origin === 'string' ? 'string_too_long' : 'less_than_equal', loc, msg: issue.message, input, ctx: { max: Number(issue.maximum) } }];
    case 'invalid_value':
      return [{ type: 'enum', loc, msg: `Input should be ${issue.values.map((v) => `'${String(v)}'`).join(', ')}`, input, ctx: { expected: issue.values } }];
    case 'invalid_union':
      return [{ type: 'union_tag_invalid', loc, msg: issue.message, input }];
    default:
      return [{ type: 'value_error', loc, msg: issue.message, input }];
  }
}

function tooSmall(issue: z.core.$ZodIssueTooSmall, loc: (string | number)[]): ValidationIssue {
  const min = Number(issue.minimum);
  if (issue.origin === 'string') {
    return { type: 'string_too_short', loc, msg: `String should have at least ${min} character${min === 1 ? '' : 's'}`, input: issue.input, ctx: { min_length: min } };
  }
  if (issue.inclusive === false) {
    return { type: 'greater_than', loc, msg: `Input should be greater than ${min}`, input: issue.input, ctx: { gt: min } };
  }
  return { type: 'greater_than_equal', loc, msg: `Input should be greater than or equal to ${min}`, input: issue.input, ctx: { ge: min } };
}

function typeNameOf(expected: string): string {
  const names: Record<string, string> = { object: 'dict_type', record: 'dict_type', string: 'string_type', number: 'float_type', int: 'int_type', boolean: 'bool_type', array: 'list_type' };
  return names[expected] ?? `${expected}_type`;
}

function readableType(expected: string): string {
  const names: Record<string, string> = { object: 'dictionary', record: 'dictionary', string: 'string', number: 'number', int: 'integer', boolean: 'boolean', array: 'list' };
  return names[expected] ?? expected;
}

/**
 * OpenEnv's Python side sends null for an optional field it leaves unset (ResetRequest's `seed` and `episode_id`
 * are `Optional`, and a pydantic action's `model_dump()` writes None for every unset field): null means absent.
 */
function withoutNullMembers(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null));
}

/** Parses an OpenEnv action (step data / body.action). */
export function parseAction(input: unknown): z.infer<typeof ActionSchema> {
  return parseOrThrow(ActionSchema, withoutNullMembers(input), []);
}

/** Parses reset options (the /reset body with locPrefix ['body'], WS reset data with []). */
export function parseReset(input: unknown, locPrefix: (string | number)[]): z.infer<typeof ResetRequestSchema> {
  return parseOrThrow(ResetRequestSchema, withoutNullMembers(input), locPrefix);
}
