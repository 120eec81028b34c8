import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeService, type Service } from '../../src/compose.js';
import { ClientClosedError, EpisodeFinishedError, EpisodeNotStartedError, UnknownQuestionError, UnknownTaskError } from '../../src/errors.js';
import { builtinGold } from '../helpers/builtin-gold.js';
import { silentLogger } from '../helpers/logs.js';
import { testConfig } from '../helpers/test-config.js';
import { tmpDir } from '../helpers/tmp-dir.js';

/** A Gymnasium check_env-style contract of the in-process Episode (the transports have their own tests). */
let service: Service;
beforeAll(async () => {
  service = await composeService(testConfig({ DATA_DIR: tmpDir('sre-episode-'), SQL_WORKERS: '1' }), silentLogger());
});
afterAll(() => service.close());

const action = (sql: string) => ({ custom_sql: sql, metadata: {} });

describe('Episode contract', () => {
  it('refuses a step before reset', async () => {
    await expect(service.env.createEpisode().step(action('SELECT 1'))).rejects.toBeInstanceOf(EpisodeNotStartedError);
  });

  it('gives the same question for the same task and seed, and different ones across seeds', async () => {
    const ids = async (seed: number) => (await service.env.createEpisode().reset({ task_id: 'join_queries', seed })).observation.question_id;
    expect(await ids(5)).toBe(await ids(5));
    const seen = new Set(await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(ids)));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('refuses unknown tasks and questions with typed errors', async () => {
    const episode = service.env.createEpisode();
    await expect(episode.reset({ task_id: 'nope' })).rejects.toBeInstanceOf(UnknownTaskError);
    await expect(episode.reset({ task_id: 'simple_queries', question_id: 'simple_queries/99' })).rejects.toBeInstanceOf(UnknownQuestionError);
  });

  it('ends the episode at max attempts, then refuses further steps', async () => {
    const episode = service.env.createEpisode();
    await episode.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await episode.step(action(`SELECT ${i}`)));
    expect(results.map((r) => r.done)).toEqual([false, false, false, false, true]);
    expect(results.every((r) => r.observation.success === false)).toBe(true);
    expect(results.at(-1)?.observation.recommendation).toBeNull();
    await expect(episode.step(action('SELECT 1'))).rejects.toBeInstanceOf(EpisodeFinishedError);
    expect(episode.state()).toMatchObject({ step_count: 5, attempt: 5, done: true, success: false });
  });

  it('ends the episode on success and keeps rewards inside [SCORE_MIN, SCORE_MAX]', async () => {
    const episode = service.env.createEpisode();
    await episode.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' });
    const wrong = await episode.step(action('SELECT COUNT(*) FROM orders'));
    const right = await episode.step(action(builtinGold('simple_queries/01')));
    expect(right).toMatchObject({ done: true, reward: 0.95, observation: { success: true } });
    for (const r of [wrong, right]) {
      expect(r.reward).toBeGreaterThanOrEqual(0.05);
      expect(r.reward).toBeLessThanOrEqual(0.95);
    }
    expect(episode.state().step_rewards).toEqual([wrong.reward, right.reward]);
  });

  it('runs concurrent steps of one episode one after the other', async () => {
    const episode = service.env.createEpisode();
    await episode.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' });
    const [a, b] = await Promise.all([episode.step(action('SELECT 1 AS a')), episode.step(action('SELECT 2 AS b'))]);
    expect([a.observation.attempt_number, b.observation.attempt_number]).toEqual([1, 2]);
    expect(b.observation.result?.rows).toEqual([[2]]);
  });

  it('does not count an attempt whose caller went away before it was graded, and the next step takes its place', async () => {
    const episode = service.env.createEpisode();
    await episode.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' });
    const first = await episode.step(action('SELECT COUNT(*) FROM orders'));
    const controller = new AbortController();
    const gone = new ClientClosedError();
    const stopped = episode.step(action(builtinGold('simple_queries/01')), {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'executing') controller.abort(gone);
      },
    });
    await expect(stopped).rejects.toBe(gone);
    expect(episode.state()).toMatchObject({ step_count: 1, attempt: 1, done: false, step_rewards: [first.reward] });
    const next = await episode.step(action('SELECT COUNT(*) + 1 FROM customers'));
    expect(next.observation.attempt_number).toBe(2);
    expect(next.observation.current_sql).toBe('SELECT COUNT(*) + 1 FROM customers');
  });

  it('can be closed twice', async () => {
    const episode = service.env.createEpisode();
    await episode.reset({});
    await episode.step(action('SELECT 1'));
    episode.close();
    expect(() => episode.close()).not.toThrow();
  });
});
