/**
 * Caller errors and infrastructure faults. An agent's failing SQL is NOT an error: it is a SqlFailure value.
 * No HTTP words here: api/error-map.ts is the one place codes become statuses and WS frames.
 */
export type ErrorCode =
  | 'REQUEST_VALIDATION'
  | 'UNKNOWN_TASK'
  | 'UNKNOWN_QUESTION'
  | 'UNKNOWN_DATABASE'
  | 'EPISODE_NOT_FOUND'
  | 'EPISODE_FINISHED'
  | 'EPISODE_NOT_STARTED'
  | 'CAPACITY_REACHED'
  | 'DATABASE_UNAVAILABLE'
  | 'MODEL_NOT_CONFIGURED'
  | 'MODEL_UNAVAILABLE'
  | 'MODEL_TIMEOUT'
  | 'MODEL_AUTH'
  | 'MODEL_RATE_LIMITED'
  | 'MODEL_BAD_RESPONSE'
  | 'EPISODE_SETUP'
  | 'UNAUTHORIZED'
  | 'CLIENT_CLOSED'
  | 'CONFIG'
  | 'DATASET';

/** One issue of a request validation failure, in the shape FastAPI/pydantic send on the wire. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  /** Client-safe data copied into the WS error frame / HTTP body. */
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

export class RequestValidationError extends AppError {
  readonly code = 'REQUEST_VALIDATION';
  constructor(readonly issues: ValidationIssue[], message = 'Invalid message') {
    super(message);
  }
}

export class UnknownTaskError extends AppError {
  readonly code = 'UNKNOWN_TASK';
  constructor(taskId: string, known: string[]) {
    super(`Unknown task_id '${taskId}'. Known tasks: ${known.join(', ')}`, { details: { task_id: taskId, known } });
  }
}

export class UnknownQuestionError extends AppError {
  readonly code = 'UNKNOWN_QUESTION';
  constructor(questionId: string, taskId: string) {
    super(`Unknown question_id '${questionId}' in task '${taskId}'`, { details: { question_id: questionId, task_id: taskId } });
  }
}

export class UnknownDatabaseError extends AppError {
  readonly code = 'UNKNOWN_DATABASE';
  constructor(database: string) {
    super(`Unknown database '${database}'`, { details: { database } });
  }
}

export class EpisodeNotFoundError extends AppError {
  readonly code = 'EPISODE_NOT_FOUND';
  constructor(episodeId: string) {
    super(`Episode '${episodeId}' not found (it may have expired). Call reset to start one.`, { details: { episode_id: episodeId } });
  }
}

export class EpisodeFinishedError extends AppError {
  readonly code = 'EPISODE_FINISHED';
  constructor(episodeId: string) {
    super(`Episode '${episodeId}' is done. Call reset to start a new one.`, { details: { episode_id: episodeId } });
  }
}

export class EpisodeNotStartedError extends AppError {
  readonly code = 'EPISODE_NOT_STARTED';
  constructor() {
    super('No episode is running. Call reset before step.');
  }
}

export class CapacityReachedError extends AppError {
  readonly code = 'CAPACITY_REACHED';
  constructor(readonly active: number, readonly max: number) {
    super(`Server at capacity: ${active}/${max} sessions active. Cannot accept new connections.`, {
      details: { active_sessions: active, max_sessions: max },
    });
  }
}

export class DatabaseUnavailableError extends AppError {
  readonly code = 'DATABASE_UNAVAILABLE';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export class ModelNotConfiguredError extends AppError {
  readonly code = 'MODEL_NOT_CONFIGURED';
  constructor() {
    super(
      'No model is configured, so the server cannot write SQL. Send custom_sql in the action, or set LLM_BASE_URL/LLM_API_KEY/LLM_MODEL (remote) or MODEL_DIR (local ONNX model).',
    );
  }
}

export class ModelUnavailableError extends AppError {
  readonly code = 'MODEL_UNAVAILABLE';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export class ModelTimeoutError extends AppError {
  readonly code = 'MODEL_TIMEOUT';
  constructor(timeoutMs: number, cause?: unknown) {
    super(`The model did not answer within ${timeoutMs} ms`, { cause });
  }
}

export class ModelAuthError extends AppError {
  readonly code = 'MODEL_AUTH';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export class ModelRateLimitedError extends AppError {
  readonly code = 'MODEL_RATE_LIMITED';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export class ModelBadResponseError extends AppError {
  readonly code = 'MODEL_BAD_RESPONSE';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export class EpisodeSetupError extends AppError {
  readonly code = 'EPISODE_SETUP';
  constructor(message: string, cause?: unknown) {
    super(message, { cause, details: { factory_name: 'SqlRepairEnvironment' } });
  }
}

export class UnauthorizedError extends AppError {
  readonly code = 'UNAUTHORIZED';
  constructor() {
    super('Missing or invalid bearer token');
  }
}

/**
 * The caller went away mid-step (an HTTP client that disconnected, the viewer's Stop): the model call is cancelled
 * and the attempt is not counted, since nobody will see its observation.
 */
export class ClientClosedError extends AppError {
  readonly code = 'CLIENT_CLOSED';
  constructor() {
    super('The client closed the connection before the step finished; the attempt was not counted');
  }
}

export class ConfigError extends AppError {
  readonly code = 'CONFIG';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

export class DatasetError extends AppError {
  readonly code = 'DATASET';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}
