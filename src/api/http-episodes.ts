import type { Action, Environment, Episode, ResetOptions, State, StepEventSink, StepResult } from '../env/index.js';
import { EpisodeRegistry } from '../env/index.js';
import { EpisodeNotStartedError } from '../errors.js';

/**
 * Stateful HTTP episodes (our addition to OpenEnv's stateless HTTP, see the protocol spec §8):
 * each reset makes an episode addressable by its episode_id; a reset without episode_id also becomes the
 * default shared episode that /step and /state use when they name none.
 */
export class HttpEpisodes {
  readonly registry: EpisodeRegistry;
  private defaultId: string | undefined;
  private counter = 0;

  constructor(env: Environment, options: { maxEpisodes: number; idleTimeoutS: number }) {
    this.registry = new EpisodeRegistry({ ...options, whenFull: 'evict', create: () => env.createEpisode() });
  }

  async reset(options: ResetOptions): Promise<StepResult> {
    const pendingKey = `pending:${++this.counter}`;
    const episode = this.registry.open(pendingKey);
    try {
      const result = await episode.reset(options);
      this.registry.rekey(pendingKey, result.observation.episode_id);
      if (options.episode_id === undefined) this.defaultId = result.observation.episode_id;
      return result;
    } catch (err) {
      this.registry.close(pendingKey);
      throw err;
    }
  }

  step(action: Action, episodeId: string | undefined, options: { signal?: AbortSignal; onEvent?: StepEventSink }): Promise<StepResult> {
    return this.episode(episodeId).step(action, options);
  }

  state(episodeId: string | undefined): State {
    if (episodeId === undefined && this.defaultId === undefined) return { episode_id: null, step_count: 0 };
    return this.episode(episodeId).state();
  }

  private episode(episodeId: string | undefined): Episode {
    const id = episodeId ?? this.defaultId;
    if (id === undefined) throw new EpisodeNotStartedError();
    return this.registry.get(id);
  }
}
