// The question panel (question, evidence, episode facts, starting SQL in repair mode, schema) and the policy's
// recommendation for the next attempt.
import { promptViewer } from './attempt-card.js';
import { byId, fill, fmt, h } from './dom.js';
import { renderSchema } from './schema-view.js';

export function renderQuestion(obs) {
  const panel = byId('question-panel');
  fill(
    panel,
    h('h2', { id: 'question-heading' }, 'Question'),
    h('p', { class: 'question', id: 'question-text' }, obs.question),
    obs.evidence ? h('p', { class: 'evidence' }, h('strong', null, 'Evidence: '), obs.evidence) : null,
    h(
      'dl',
      { class: 'meta' },
      [
        ['Task', obs.task_id],
        ['Question', obs.question_id],
        ['Database', obs.db_id],
        ['Dialect', obs.dialect],
        ['Difficulty', obs.task_difficulty],
        ['Attempts', `${obs.attempt_number} of ${obs.max_attempts}`],
        ['Episode', obs.episode_id],
      ].map(([k, v]) => h('div', null, h('dt', null, k), h('dd', { dataset: { field: k.toLowerCase() } }, v))),
    ),
    obs.current_sql === null
      ? null
      : h(
          'div',
          { class: 'start-sql' },
          h('h3', null, 'Broken query to repair'),
          h('pre', { class: 'sql', id: 'start-sql' }, obs.current_sql),
          obs.error_class ? h('p', null, h('span', { class: 'badge error-class' }, obs.error_class), ' ', obs.error_message ?? '') : null,
        ),
    renderSchema(obs.schema_info),
  );
  panel.hidden = false;
}

export function updateAttemptCount(obs) {
  const field = document.querySelector('[data-field="attempts"]');
  if (field) field.textContent = `${obs.attempt_number} of ${obs.max_attempts}`;
}

/** What `auto` will do next: the recommended arm and its ready prompt (nothing once the episode is over). */
export function renderRecommendation(obs, isDone) {
  const box = byId('next-recommendation');
  const rec = obs.recommendation;
  if (isDone || rec === null) {
    fill(box);
    return;
  }
  fill(
    box,
    h(
      'p',
      null,
      'With ',
      h('code', null, 'auto'),
      ', the next attempt uses ',
      h('strong', { class: 'next-arm' }, rec.arm),
      rec.decision_id === '' ? ' (first attempt).' : ` (probability ${fmt(rec.probability)}${rec.explored ? ', explored' : ''}).`,
    ),
    promptViewer(rec),
  );
}
