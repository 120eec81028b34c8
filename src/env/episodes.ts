import { CapacityReachedError, EpisodeNotFoundError } from '../errors.js';
import type { Episode } from './episode.js';

export interface EpisodeRegistryOptions {
  /** Most episodes held at once. */
  maxEpisodes: number;
  /** Episodes idle longer than this are closed by reapIdle(). */
  idleTimeoutS: number;
  /** When full: 'refuse' throws CapacityReachedError (WS sessions), 'evict' closes the least recently used (HTTP). */
  whenFull: 'refuse' | 'evict';
  /** Makes a fresh episode. */
  create: () => Episode;
}

/** Holds live episodes by key with a capacity and an idle TTL. Transport-free: HTTP and WS both use it. */
export class EpisodeRegistry {
  private readonly episodes = new Map<string, Episode>();
  private reaper: NodeJS.Timeout | undefined;

  constructor(private readonly options: EpisodeRegistryOptions) {}

  get size(): number {
    return this.episodes.size;
  }

  get capacity(): number {
    return this.options.maxEpisodes;
  }

  /** Creates an episode under `key`, replacing (and closing) any episode already there. */
  open(key: string): Episode {
    const existing = this.episodes.get(key);
    if (existing !== undefined) {
      existing.close();
      this.episodes.delete(key);
    }
    if (this.episodes.size >= this.options.maxEpisodes) this.makeRoom();
    const episode = this.options.create();
    this.episodes.set(key, episode);
    return episode;
  }

  /** Throws EpisodeNotFoundError. */
  get(key: string): Episode {
    const episode = this.episodes.get(key);
    if (episode === undefined) throw new EpisodeNotFoundError(key);
    return episode;
  }

  find(key: string): Episode | undefined {
    return this.episodes.get(key);
  }

  /** Re-files an episode under a new key (HTTP: the id chosen at reset). */
  rekey(from: string, to: string): void {
    const episode = this.episodes.get(from);
    if (episode === undefined || from === to) return;
    this.episodes.delete(from);
    this.episodes.get(to)?.close();
    this.episodes.set(to, episode);
  }

  /** Idempotent. */
  close(key: string): void {
    const episode = this.episodes.get(key);
    if (episode === undefined) return;
    this.episodes.delete(key);
    episode.close();
  }

  /** Closes episodes idle for longer than the timeout; returns how many. */
  reapIdle(nowMs = Date.now()): number {
    const limitMs = this.options.idleTimeoutS * 1000;
    let reaped = 0;
    for (const [key, episode] of this.episodes) {
      if (nowMs - episode.lastActivityMs > limitMs) {
        this.close(key);
        reaped += 1;
      }
    }
    return reaped;
  }

  /** Starts the idle reaper: every max(timeout/4, 5 s), as OpenEnv does; `onReap` sees each reaped count. */
  startReaper(onReap?: (count: number) => void): void {
    if (this.reaper !== undefined) return;
    const everyMs = Math.max((this.options.idleTimeoutS * 1000) / 4, 5000);
    this.reaper = setInterval(() => {
      const count = this.reapIdle();
      if (count > 0) onReap?.(count);
    }, everyMs);
    this.reaper.unref();
  }

  /** Stops the reaper and closes every episode. */
  closeAll(): void {
    if (this.reaper !== undefined) clearInterval(this.reaper);
    this.reaper = undefined;
    for (const key of [...this.episodes.keys()]) this.close(key);
  }

  private makeRoom(): void {
    if (this.options.whenFull === 'refuse') {
      throw new CapacityReachedError(this.episodes.size, this.options.maxEpisodes);
    }
    let oldestKey: string | undefined;
    let oldestMs = Infinity;
    for (const [key, episode] of this.episodes) {
      if (episode.lastActivityMs < oldestMs) {
        oldestMs = episode.lastActivityMs;
        oldestKey = key;
      }
    }
    if (oldestKey !== undefined) this.close(oldestKey);
  }
}
