/** The environment core's public surface. Transport-free: nothing here knows HTTP or WebSockets. */
export * from './contract.js';
export type * from './db/engine.js';
export type { InlineStats } from './db/sqlite-inline.js';
export type { ResultCacheStats } from './db/sqlite-result-cache.js';
export type * from './ports.js';
export type * from './tasks/task.js';
export { goldFor } from './tasks/task.js';
export { Environment, type EnvironmentDeps, type FaultInjector } from './environment.js';
export { Episode } from './episode.js';
export { EpisodeRegistry, type EpisodeRegistryOptions } from './episodes.js';
export type { TaskRegistry } from './tasks/task-registry.js';
export type { Grade, GradeComponents, Grader } from './grade/grader.js';
