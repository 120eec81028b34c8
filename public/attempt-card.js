// One attempt of an episode as it streams: the SQL growing chunk by chunk, the execution outcome, the reward, and
// the policy's decision for the next attempt. The card's data-phase attribute follows the stage events.
import { armChart } from './charts.js';
import { dataTable, fmt, h } from './dom.js';

export function promptViewer(recommendation, label = 'Ready prompt') {
  const messages = recommendation.prompt ?? [];
  return h(
    'details',
    { class: 'prompt' },
    h('summary', null, `${label}: ${recommendation.arm}${recommendation.prompt_version ? ` (prompt ${recommendation.prompt_version})` : ''}, ${messages.length} message${messages.length === 1 ? '' : 's'}`),
    messages.map((m) => h('div', { class: `message role-${m.role}` }, h('div', { class: 'role' }, m.role), h('pre', null, m.content))),
  );
}

export function resultTable(result, caption) {
  const shown = result.rows.length;
  const count = `${result.row_count} row${result.row_count === 1 ? '' : 's'}`;
  const note = result.truncated ? `${count}, truncated: first ${shown} shown` : shown < result.row_count ? `${count}, first ${shown} shown` : count;
  return h('div', { class: 'result' }, h('p', { class: 'row-count' }, `${caption} · ${note}`), dataTable(result.columns, result.rows, null, `${caption}: ${note}`));
}

function breakdownTable(breakdown) {
  const entries = Object.entries(breakdown);
  return h(
    'table',
    { class: 'breakdown' },
    h('caption', null, 'Reward breakdown'),
    h('tbody', null, entries.map(([key, value]) => h('tr', { dataset: { part: key } }, h('th', { scope: 'row' }, key), h('td', { class: `num${value < 0 ? ' neg' : value > 0 ? ' pos' : ''}` }, fmt(value))))),
  );
}

/** The SQL text with the first occurrence of the offending token marked. */
function markToken(box, sql, token) {
  const at = token ? sql.toLowerCase().indexOf(token.toLowerCase()) : -1;
  if (at < 0) {
    box.textContent = sql;
    return;
  }
  box.replaceChildren(sql.slice(0, at), h('mark', { class: 'offending', title: 'offending token' }, sql.slice(at, at + token.length)), sql.slice(at + token.length));
}

export function createAttemptCard(start) {
  const record = { attempt: start.attempt, arm: start.arm, source: start.source, sql: '', errorClass: null, score: null, reward: null, success: false };
  const sqlBox = h('pre', { class: 'sql sql-stream', 'aria-label': `SQL of attempt ${start.attempt}` });
  const status = h('p', { class: 'status', role: 'status' }, start.source === 'model' ? 'The model is writing SQL…' : 'Running your SQL…');
  const outcome = h('div', { class: 'outcome' });
  const reward = h('div', { class: 'reward' });
  const decision = h('div', { class: 'decision' });
  const el = h(
    'li',
    { class: 'attempt card', dataset: { attempt: String(start.attempt), phase: 'waiting' } },
    h(
      'header',
      { class: 'card-head' },
      h('h3', null, `Attempt ${start.attempt} of ${start.max_attempts}`),
      h('span', { class: 'badge arm' }, start.arm),
      h('span', { class: 'badge source' }, start.source === 'model' ? 'model' : 'your SQL'),
    ),
    sqlBox,
    status,
    outcome,
    reward,
    decision,
  );
  const setPhase = (phase) => {
    el.dataset.phase = phase;
  };
  let lastScores = null;

  const handlers = {
    sql_chunk(e) {
      if (el.dataset.phase !== 'streaming') setPhase('streaming');
      sqlBox.append(document.createTextNode(e.text));
    },
    sql_complete(e) {
      record.sql = e.sql;
      sqlBox.textContent = e.sql;
      setPhase('complete');
    },
    executing(e) {
      setPhase('executing');
      status.textContent = `Executing on ${e.dialect}…`;
    },
    error(e) {
      record.errorClass = e.error_class;
      markToken(sqlBox, record.sql, e.offending_token);
      status.textContent = `Failed after ${fmt(e.sql_ms, 1)} ms`;
      outcome.replaceChildren(
        h(
          'div',
          { class: 'error-box', role: 'group', 'aria-label': 'error' },
          h('p', null, h('span', { class: 'badge error-class' }, e.error_class), e.offending_token ? h('span', { class: 'token' }, ' at ', h('code', null, e.offending_token)) : null),
          h('pre', { class: 'error-message' }, e.message),
        ),
      );
      setPhase('error');
    },
    success(e) {
      record.success = true;
      status.textContent = `Correct · ran in ${fmt(e.sql_ms, 1)} ms`;
      outcome.replaceChildren(h('p', { class: 'success-banner' }, '✓ Matches the gold result'), resultTable(e, 'Result'));
      setPhase('success');
    },
    rl_reward(e) {
      record.reward = e.reward;
      record.score = e.score;
      reward.replaceChildren(h('p', { class: 'reward-line' }, 'Reward ', h('strong', { class: 'reward-value' }, fmt(e.reward)), ` · score ${fmt(e.score)}`), breakdownTable(e.breakdown));
    },
    rl_action(e) {
      lastScores = e.scores;
      decision.replaceChildren(
        h('h4', null, 'Policy decision for the next attempt'),
        h('p', { class: 'decision-line' }, 'Next arm ', h('strong', { class: 'chosen-arm' }, e.arm), ` · probability ${fmt(e.probability)}${e.explored ? ' · explored' : ' · greedy'}`),
        armChart(e.scores, e.arm),
      );
    },
  };

  return {
    el,
    record,
    onEvent(name, data) {
      handlers[name]?.(data);
    },
    /** The step's /step envelope: the result preview of a wrong answer, the full breakdown, the ready prompt. */
    finish(envelope) {
      const obs = envelope.observation;
      if (obs.result !== null && !record.success) outcome.append(resultTable(obs.result, 'Result (does not match)'));
      if (obs.reward_breakdown !== null) reward.replaceChildren(h('p', { class: 'reward-line' }, 'Reward ', h('strong', { class: 'reward-value' }, fmt(envelope.reward)), ` · score ${fmt(obs.score)}`), breakdownTable(obs.reward_breakdown));
      record.reward = envelope.reward;
      record.score = obs.score;
      record.sql ||= obs.current_sql ?? '';
      record.errorClass = obs.error_class;
      if (obs.recommendation !== null) {
        if (lastScores === null && obs.recommendation.scores.length > 0) handlers.rl_action({ ...obs.recommendation, scores: obs.recommendation.scores });
        decision.append(promptViewer(obs.recommendation));
      }
      if (status.textContent.endsWith('…')) status.textContent = 'Done';
      setPhase('done');
    },
    fail(message) {
      // The attempt number is reused by the next try, so a failed card gives its number up.
      el.dataset.attempt = `${start.attempt}-failed`;
      status.textContent = 'This attempt did not run.';
      outcome.replaceChildren(h('p', { class: 'failure' }, message));
      setPhase('failed');
    },
  };
}

export function timelineTable(records) {
  const rows = records.map((r) =>
    h(
      'tr',
      { class: r.success ? 'ok' : 'bad' },
      h('td', { class: 'num' }, String(r.attempt)),
      h('td', null, h('code', null, r.arm)),
      h('td', null, r.source === 'model' ? 'model' : 'agent'),
      h('td', { class: 'sql-cell' }, h('code', null, r.sql)),
      h('td', null, r.success ? '✓ correct' : (r.errorClass ?? '—')),
      h('td', { class: 'num' }, fmt(r.score)),
      h('td', { class: 'num' }, fmt(r.reward)),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Episode timeline' },
    h(
      'table',
      { class: 'data timeline', id: 'timeline-table' },
      h('thead', null, h('tr', null, ['Attempt', 'Arm', 'By', 'SQL', 'Class', 'Score', 'Reward'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows),
    ),
  );
}
