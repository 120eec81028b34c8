import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WsEnvClient } from '../../src/client/index.js';
import { builtinGold } from '../helpers/builtin-gold.js';
import { startTestService, type TestService } from '../helpers/server.js';

/**
 * /ws against an independent WebSocket implementation: the Python `websockets` library that OpenEnv's client is
 * built on, driven the way GenericEnvClient drives it (tests/interop/openenv_ws_client.py).
 */
const CLIENT_SCRIPT = path.join(import.meta.dirname, '..', 'interop', 'openenv_ws_client.py');
// why /usr/bin first: Debian's python3-websockets installs for the system Python, which a pyenv shim may hide.
const python = ['/usr/bin/python3', 'python3'].find((exe) => spawnSync(exe, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0);
// why: CI installs python3-websockets (.ci/run), so there a missing library must fail; locally the suite may skip, loudly.
const isCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';
const describePython = python !== undefined || isCi ? describe : describe.skip;
if (python === undefined && !isCi) {
  console.warn('tests/api/python-websockets.test.ts SKIPPED: no python3 with the websockets library (apt-get install -y python3-websockets).');
}

interface PlannedEpisode {
  reset: { task_id: string; question_id: string };
  steps: string[];
}

interface PlayedEpisode {
  extensions: string[];
  reset: { reward: number | null; done: boolean; episode_id: string; question_id: string };
  steps: ({ reward: number; done: boolean; episode_id: string; current_sql: string; error_class: string | null } | { error: string })[];
  bogus: string;
  state: { episode_id: string; step_count: number; done: boolean };
  close: { close_code?: number | null; unexpected_frame?: string };
  text_frames: number;
}

function runPythonClient(baseUrl: string, plan: unknown): Promise<{ websockets_version: string; episodes: PlayedEpisode[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python ?? 'python3', [CLIENT_SCRIPT, baseUrl], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as { websockets_version: string; episodes: PlayedEpisode[] });
      else reject(new Error(`python client exited with ${code}: ${stderr}`));
    });
    child.stdin.end(JSON.stringify(plan));
  });
}

/** The same episode through our own TypeScript client: the rewards the server gives these attempts. */
async function rewardsOverTsClient(baseUrl: string, episode: PlannedEpisode): Promise<number[]> {
  const client = await WsEnvClient.connect(baseUrl);
  await client.reset(episode.reset);
  const rewards: number[] = [];
  for (const sql of episode.steps) {
    const step = await client.step({ custom_sql: sql });
    rewards.push(step.reward ?? NaN);
    if (step.done) break;
  }
  await client.close();
  return rewards;
}

describePython("/ws with the Python websockets library, as OpenEnv's client uses it", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ MAX_CONCURRENT_ENVS: '64' });
  });

  const questions = ['simple_queries/01', 'simple_queries/02', 'simple_queries/03'];
  const wrong = ['SELECT nosuchcolumn FROM customers', 'SELECT COUNT(*) FROM customers WHERE 1 = 0', 'SELEC 1'];
  // Twelve episodes at once, each its own question and wrong attempts, all ending on the gold.
  const plan: PlannedEpisode[] = Array.from({ length: 12 }, (_, i) => {
    const questionId = questions[i % questions.length] as string;
    return { reset: { task_id: 'simple_queries', question_id: questionId }, steps: [...wrong.slice(0, i % 4), builtinGold(questionId)] };
  });

  it('plays concurrent episodes with the same rewards as the TypeScript client, each seeing only its own episode', async () => {
    const played = await runPythonClient(svc.baseUrl, { episodes: plan, ping_interval_s: 0.2, idle_s: 0.5 });
    expect(played.websockets_version).toMatch(/^\d+\./);
    expect(new Set(played.episodes.map((e) => e.reset.episode_id)).size).toBe(plan.length);
    for (const [i, episode] of played.episodes.entries()) {
      const planned = plan[i] as PlannedEpisode;
      expect(episode.reset).toMatchObject({ reward: null, done: false, question_id: planned.reset.question_id });
      expect(episode.steps.map((s) => ('error' in s ? s.error : s.current_sql))).toEqual(planned.steps);
      expect(episode.steps.every((s) => 'episode_id' in s && s.episode_id === episode.reset.episode_id)).toBe(true);
      expect(episode.steps.map((s) => 'done' in s && s.done)).toEqual(planned.steps.map((_, k) => k === planned.steps.length - 1));
      expect(episode.steps.map((s) => ('reward' in s ? s.reward : NaN))).toEqual(await rewardsOverTsClient(svc.baseUrl, planned));
      expect(episode.state).toMatchObject({ episode_id: episode.reset.episode_id, step_count: planned.steps.length, done: true });
    }
    const firstWrong = played.episodes[1]?.steps[0];
    expect(firstWrong).toMatchObject({ error_class: 'UNKNOWN_COLUMN', done: false });
  }, 60_000);

  it('raises error frames as the client does, answers in text frames, and closes with 1000 and no reply', async () => {
    const afterDone: PlannedEpisode = { reset: { task_id: 'simple_queries', question_id: 'simple_queries/01' }, steps: [builtinGold('simple_queries/01'), 'SELECT 1'] };
    const [episode] = (await runPythonClient(svc.baseUrl, { episodes: [afterDone] })).episodes;
    expect(episode?.steps[1]).toEqual({ error: expect.stringMatching(/^Server error: .+ \(code: EXECUTION_ERROR\)$/) });
    expect(episode?.bogus).toBe('Server error: Unknown message type: bogus (code: UNKNOWN_TYPE)');
    // reset, two steps, the bogus message and state: one text frame each, errors included.
    expect(episode?.text_frames).toBe(5);
    expect(episode?.close).toEqual({ close_code: 1000 });
  }, 60_000);
});
