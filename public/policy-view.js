// The policy page: arm usage and success by error class, and the learned policy's reward over time (GET /policy).
import { ApiError, getJson } from './api.js';
import { barChart, figure, lineChart } from './charts.js';
import { byId, fill, fmt, h } from './dom.js';

/** error_class → arm → row, and the arms that appear, in the policy's arm order. */
function byClassMatrix(report) {
  const classes = [...new Set(report.by_error_class.map((r) => r.error_class))].sort();
  const used = new Set(report.by_error_class.map((r) => r.arm));
  const arms = report.arms.filter((a) => used.has(a));
  for (const r of report.by_error_class) if (!arms.includes(r.arm)) arms.push(r.arm);
  const cell = new Map(report.by_error_class.map((r) => [`${r.error_class}\u0000${r.arm}`, r]));
  return { classes, arms, at: (c, a) => cell.get(`${c}\u0000${a}`) };
}

function classTable(report) {
  const { classes, arms, at } = byClassMatrix(report);
  if (classes.length === 0) return h('p', { class: 'empty' }, 'No decisions recorded yet.');
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Arm usage and success by error class' },
    h(
      'table',
      { class: 'data matrix', id: 'policy-by-class' },
      h('caption', null, 'Rewarded / decisions per arm and error class (shade: success rate)'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Error class'), arms.map((a) => h('th', { scope: 'col' }, a)))),
      h(
        'tbody',
        null,
        classes.map((c) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, c),
            arms.map((a) => {
              const r = at(c, a);
              if (r === undefined || (r.decisions === 0 && r.rewarded === 0)) return h('td', { class: 'empty-cell' }, '·');
              const rate = r.decisions === 0 ? 0 : Math.min(1, r.rewarded / r.decisions);
              return h(
                'td',
                { class: 'num rate', style: `--rate:${rate.toFixed(3)}`, title: `${c} / ${a}: ${r.rewarded} of ${r.decisions} rewarded, mean reward ${fmt(r.mean_reward)}` },
                `${r.rewarded}/${r.decisions}`,
                h('span', { class: 'sub' }, ` ${fmt(r.mean_reward, 2)}`),
              );
            }),
          ),
        ),
      ),
    ),
  );
}

function render(report) {
  const perArm = report.arms.map((arm) => report.per_arm.find((p) => p.arm === arm) ?? { arm, n: 0, mean_reward: 0 });
  return [
    h(
      'dl',
      { class: 'stats panel' },
      h('div', null, h('dt', null, 'Arms'), h('dd', null, String(report.arms.length))),
      h('div', null, h('dt', null, 'Decisions'), h('dd', { id: 'policy-decisions' }, String(report.decisions))),
      h('div', null, h('dt', null, 'Rewards observed'), h('dd', null, String(report.rewards))),
    ),
    h('section', { class: 'panel' }, h('h3', null, 'Arm usage'), figure(barChart(perArm.map((p) => ({ label: p.arm, value: p.n, note: `mean reward ${fmt(p.mean_reward, 2)}` })), { title: 'Decisions per arm', className: 'usage-chart' }))),
    h('section', { class: 'panel' }, h('h3', null, 'Success by error class'), classTable(report)),
    h(
      'section',
      { class: 'panel' },
      h('h3', null, 'Reward over time'),
      report.reward_curve.length === 0
        ? h('p', { class: 'empty' }, 'No rewards yet: play a few episodes.')
        : figure(lineChart(report.reward_curve.map((p) => ({ x: p.decisions, y: p.mean_reward })), { title: 'Mean reward of the learned policy over decisions', xLabel: 'decisions', yLabel: 'mean reward' })),
    ),
  ];
}

export async function loadPolicy() {
  const body = byId('policy-body');
  body.setAttribute('aria-busy', 'true');
  fill(body, h('p', { class: 'status' }, 'Loading the policy report…'));
  try {
    const report = await getJson('/policy');
    fill(body, render(report));
  } catch (err) {
    const message =
      err instanceof ApiError && err.status === 404
        ? 'This server has no policy report (GET /policy answered 404). Start it with a version that serves /policy.'
        : (err?.message ?? String(err));
    fill(body, h('p', { class: 'failure', role: 'alert' }, message));
  } finally {
    body.removeAttribute('aria-busy');
  }
}
