// The episode viewer: pick a question, reset, run attempts with the server's model or typed SQL over the SSE
// step stream, and watch SQL, results, rewards and the policy's decisions arrive.
import { getJson, postJson, streamStep } from './api.js';
import { createAttemptCard, timelineTable } from './attempt-card.js';
import { byId, fill, fmt, h } from './dom.js';
import { loadPolicy } from './policy-view.js';
import { renderQuestion, renderRecommendation, updateAttemptCount } from './question-view.js';
import { bindTabs, bindToken, clearNotice, reportError, showNotice } from './shell.js';

const ARMS = ['auto', 'generate', 'FIX_IDENTIFIER', 'FIX_JOIN_PATH', 'FIX_SYNTAX_DIALECT', 'FIX_AGGREGATION', 'PROBE_VALUES', 'RELAX_FILTERS', 'FIX_PROJECTION', 'EXPLAIN_AND_VERIFY', 'DECOMPOSE_CTE', 'REGENERATE'];

const state = { tasks: [], observation: null, isDone: true, isBusy: false, controller: null, isStopRequested: false, records: [], pendingEnd: undefined };

function updateControls() {
  const canStep = state.observation !== null && !state.isDone && !state.isBusy;
  for (const id of ['step-model', 'run-episode', 'step-sql']) byId(id).disabled = !canStep;
  byId('reset-button').disabled = state.isBusy;
  byId('stop-button').disabled = !state.isBusy;
  byId('view-episode').setAttribute('aria-busy', String(state.isBusy));
}

function questionLabel(q) {
  const text = q.question.length > 90 ? `${q.question.slice(0, 87)}…` : q.question;
  return `${q.question_id} · ${text}`;
}

function fillQuestions() {
  const task = state.tasks.find((t) => t.task_id === byId('task-select').value);
  fill(byId('question-select'), h('option', { value: '' }, 'Random question'), (task?.questions ?? []).map((q) => h('option', { value: q.question_id }, questionLabel(q))));
  byId('task-description').textContent = task === undefined ? '' : `${task.description} (${task.difficulty}, ${task.questions.length} questions)`;
}

async function loadTasks() {
  try {
    state.tasks = await getJson('/tasks');
    fill(byId('task-select'), state.tasks.map((t) => h('option', { value: t.task_id }, `${t.task_id} (${t.questions.length})`)));
    fillQuestions();
    byId('reset-button').disabled = state.tasks.length === 0;
  } catch (err) {
    reportError(err);
  }
}

function resetRequest() {
  const request = { task_id: byId('task-select').value };
  const questionId = byId('question-select').value;
  if (questionId !== '') request.question_id = questionId;
  const seed = byId('seed-input').value.trim();
  if (seed !== '') request.seed = Number(seed);
  const dialect = byId('dialect-select').value;
  if (dialect !== '') request.dialect = dialect;
  if (byId('repair-mode').checked) request.mode = 'repair';
  return request;
}

async function reset(event) {
  event.preventDefault();
  if (state.isBusy) return;
  clearNotice();
  state.isBusy = true;
  updateControls();
  try {
    const envelope = await postJson('/reset', resetRequest());
    state.observation = envelope.observation;
    state.isDone = envelope.done;
    state.records = [];
    fill(byId('attempts'));
    byId('attempts-empty').hidden = false;
    fill(byId('timeline'));
    byId('timeline-panel').hidden = true;
    renderQuestion(envelope.observation);
    if (envelope.observation.current_sql) byId('sql-editor').value = envelope.observation.current_sql;
    renderRecommendation(envelope.observation, state.isDone);
  } catch (err) {
    reportError(err);
  } finally {
    state.isBusy = false;
    updateControls();
  }
}

function endEpisode(summary) {
  state.isDone = true;
  const text = summary.success
    ? `Solved in ${summary.attempts} attempt${summary.attempts === 1 ? '' : 's'} · total reward ${fmt(summary.total_reward)}`
    : `Not solved after ${summary.attempts} attempt${summary.attempts === 1 ? '' : 's'} · total reward ${fmt(summary.total_reward)}`;
  fill(byId('timeline'), h('p', { class: `episode-summary ${summary.success ? 'ok' : 'bad'}`, id: 'episode-summary' }, text), timelineTable(state.records));
  byId('timeline-panel').hidden = false;
}

/** One attempt over /step/stream; resolves to the envelope, or undefined when the step failed. */
async function step(action) {
  clearNotice();
  let card;
  const controller = new AbortController();
  state.controller = controller;
  try {
    const envelope = await streamStep(action, state.observation.episode_id, {
      signal: controller.signal,
      onEvent(name, data) {
        if (name === 'attempt_start') {
          card = createAttemptCard(data);
          byId('attempts-empty').hidden = true;
          byId('attempts').append(card.el);
          card.el.scrollIntoView({ block: 'nearest' });
          return;
        }
        card?.onEvent(name, data);
        if (name === 'rl_episode_end') state.pendingEnd = data;
      },
    });
    state.observation = envelope.observation;
    state.isDone = envelope.done;
    if (card !== undefined) {
      card.finish(envelope);
      state.records.push(card.record);
    }
    const end = state.pendingEnd;
    state.pendingEnd = undefined;
    if (envelope.done) endEpisode(end ?? { success: envelope.observation.success, attempts: envelope.observation.attempt_number, total_reward: state.records.reduce((a, r) => a + (r.reward ?? 0), 0) });
    updateAttemptCount(envelope.observation);
    renderRecommendation(envelope.observation, state.isDone);
    return envelope;
  } catch (err) {
    card?.fail(err?.name === 'AbortError' ? 'Stopped before it finished.' : (err?.message ?? String(err)));
    reportError(err);
    return undefined;
  } finally {
    state.controller = null;
  }
}

async function runSteps(makeAction, isWholeEpisode) {
  if (state.isBusy || state.isDone || state.observation === null) return;
  state.isBusy = true;
  state.isStopRequested = false;
  updateControls();
  try {
    for (;;) {
      const envelope = await step(makeAction());
      if (envelope === undefined || envelope.done || !isWholeEpisode || state.isStopRequested) break;
    }
  } finally {
    state.isBusy = false;
    updateControls();
  }
}

const modelAction = () => ({ repair_action: byId('arm-select').value });

function sqlAction() {
  return { custom_sql: byId('sql-editor').value };
}

function runTypedSql() {
  if (byId('sql-editor').value.trim() === '') {
    showNotice('Type a SQL query first.', 'info');
    byId('sql-editor').focus();
    return;
  }
  void runSteps(sqlAction, false);
}

function stop() {
  state.isStopRequested = true;
  state.controller?.abort();
}

function init() {
  fill(byId('arm-select'), ARMS.map((a) => h('option', { value: a }, a === 'auto' ? "auto (the policy's choice)" : a)));
  byId('task-select').addEventListener('change', fillQuestions);
  byId('reset-form').addEventListener('submit', reset);
  byId('step-model').addEventListener('click', () => void runSteps(modelAction, false));
  byId('run-episode').addEventListener('click', () => void runSteps(modelAction, true));
  byId('step-sql').addEventListener('click', runTypedSql);
  byId('stop-button').addEventListener('click', stop);
  byId('sql-editor').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!byId('step-sql').disabled) runTypedSql();
    }
  });
  byId('policy-refresh').addEventListener('click', () => void loadPolicy());
  bindTabs((tabId) => {
    if (tabId === 'tab-policy') void loadPolicy();
  });
  bindToken(() => void loadTasks());
  updateControls();
  void loadTasks().finally(() => {
    document.body.dataset.ready = 'true';
  });
}

init();
