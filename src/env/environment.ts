import type { EpisodeConfig, ScoreConfig, SqlConfig } from '../config.js';
import { DatabaseUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Dialect, DbSchema, SqlEngine } from './db/engine.js';
import { formatSchemaInfo } from './db/schema-info.js';
import type { Grader } from './grade/grader.js';
import type { RepairPolicy, SqlGenerator } from './ports.js';
import type { TaskQuestion } from './tasks/task.js';
import type { TaskRegistry } from './tasks/task-registry.js';
import { Episode } from './episode.js';

/** Turns a question into its first broken SQL for `repair` mode episodes (implemented by rl's fault generator). */
export interface FaultInjector {
  corrupt(question: TaskQuestion, goldSql: string, engine: SqlEngine, seed: number): Promise<{ sql: string; fault: string } | undefined>;
}

export interface EnvironmentDeps {
  engines: Partial<Record<Dialect, SqlEngine>>;
  graders: Partial<Record<Dialect, Grader>>;
  tasks: TaskRegistry;
  policy: RepairPolicy;
  generator?: SqlGenerator;
  faults?: FaultInjector;
  config: { sql: SqlConfig; score: ScoreConfig; episode: EpisodeConfig };
  log: Logger;
}

/** Services shared by every episode of one server: engines, graders, tasks, policy, model, schema cache. */
export class Environment {
  private readonly schemaCache = new Map<string, Promise<{ schema: DbSchema; info: string }>>();

  constructor(readonly deps: EnvironmentDeps) {}

  /** A fresh, unstarted episode (call reset on it). */
  createEpisode(): Episode {
    return new Episode(this);
  }

  engine(dialect: Dialect): SqlEngine {
    const engine = this.deps.engines[dialect];
    if (engine === undefined) {
      throw new DatabaseUnavailableError(`The ${dialect} dialect is not configured on this server (set DATABASE_URL for postgres).`);
    }
    return engine;
  }

  grader(dialect: Dialect): Grader {
    const grader = this.deps.graders[dialect];
    if (grader === undefined) throw new DatabaseUnavailableError(`No grader for the ${dialect} dialect.`);
    return grader;
  }

  /** Schema and its schema_info text, computed once per (dialect, database). */
  async schema(dialect: Dialect, database: string): Promise<{ schema: DbSchema; info: string }> {
    const key = `${dialect}\u0000${database}`;
    let entry = this.schemaCache.get(key);
    if (entry === undefined) {
      entry = this.engine(dialect)
        .schema(database)
        .then((schema) => ({ schema, info: formatSchemaInfo(schema, this.deps.config.sql.schemaInfoMaxChars) }));
      entry.catch(() => this.schemaCache.delete(key));
      this.schemaCache.set(key, entry);
    }
    return entry;
  }
}
