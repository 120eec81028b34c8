import { z } from 'zod';
import { ActionSchema, ObservationSchema, StateSchema } from '../env/index.js';
import { ResetRequestSchema, StepRequestSchema } from './protocol.js';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

/** GET /schema: JSON Schemas of action, observation and state, generated from the zod schemas that validate. */
export function envSchemas(): { action: Record<string, unknown>; observation: Record<string, unknown>; state: Record<string, unknown> } {
  return { action: jsonSchema(ActionSchema), observation: jsonSchema(ObservationSchema, 'output'), state: jsonSchema(StateSchema, 'output') };
}

const envelope = () => ({
  type: 'object',
  properties: { observation: jsonSchema(ObservationSchema, 'output'), reward: { type: ['number', 'null'] }, done: { type: 'boolean' } },
  required: ['observation', 'reward', 'done'],
});

const validationError = { description: 'Validation Error', content: { 'application/json': { schema: { type: 'object', properties: { detail: { type: 'array' } } } } } };

function json(schema: unknown) {
  return { content: { 'application/json': { schema } } };
}

/** GET /openapi.json (OpenAPI 3.1, info.version "1.0.0" as OpenEnv's validator expects). */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'OpenEnv Environment HTTP API', version: '1.0.0', description: `sql-repair-env ${version}` },
    paths: {
      '/reset': { post: { summary: 'Start an episode', requestBody: json(jsonSchema(ResetRequestSchema)), responses: { 200: { description: 'First observation', ...json(envelope()) }, 422: validationError } } },
      '/step': { post: { summary: 'Run one attempt', requestBody: { required: true, ...json(jsonSchema(StepRequestSchema)) }, responses: { 200: { description: 'Observation', ...json(envelope()) }, 404: { description: 'Unknown episode' }, 409: { description: 'Episode finished' }, 422: validationError, 503: { description: 'No model configured' } } } },
      '/step/stream': { post: { summary: 'Run one attempt, streaming stage events (text/event-stream)', requestBody: { required: true, ...json(jsonSchema(StepRequestSchema)) }, responses: { 200: { description: 'Server-Sent Events', content: { 'text/event-stream': {} } } } } },
      '/state': { get: { summary: 'Episode state', parameters: [{ name: 'episode_id', in: 'query', required: false, schema: { type: 'string' } }], responses: { 200: { description: 'State', ...json(jsonSchema(StateSchema, 'output')) } } } },
      '/health': { get: { summary: 'Health', responses: { 200: { description: 'Healthy', ...json({ type: 'object', properties: { status: { type: 'string', enum: ['healthy', 'unhealthy', 'degraded'] } } }) } } } },
      '/metadata': { get: { summary: 'Environment metadata', responses: { 200: { description: 'Metadata' } } } },
      '/schema': { get: { summary: 'Action, observation and state JSON Schemas', responses: { 200: { description: 'Schemas' } } } },
      '/mcp': { post: { summary: 'JSON-RPC 2.0 (MCP)', responses: { 200: { description: 'JSON-RPC response' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text/plain metrics' } } } },
      '/policy': { get: { summary: 'Repair policy overview: arm usage and reward by error class, reward over time', responses: { 200: { description: 'Overview' } } } },
      '/tasks': { get: { summary: 'Tasks and their questions', responses: { 200: { description: 'Tasks' } } } },
    },
  };
}
