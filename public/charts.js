// Charts drawn as inline SVG: the policy's per-arm probabilities, a generic horizontal bar chart and a line chart.
import { fmt, h, s } from './dom.js';

const ROW_PX = 22;
const LABEL_PX = 150;
const BAR_PX = 220;
const VALUE_PX = 130;

/**
 * One row per arm: a bar for the probability of choosing it, the UCB score (mean ± width) as text; the chosen arm
 * is marked (★, class `chosen`), arms the policy may not choose now are drawn hatched and labelled.
 */
export function armChart(scores, chosenArm, title = 'Policy scores per repair arm') {
  const width = LABEL_PX + BAR_PX + VALUE_PX;
  const height = scores.length * ROW_PX + 4;
  const svg = s('svg', { class: 'chart arm-chart', viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': title, preserveAspectRatio: 'xMinYMin meet' });
  svg.append(s('title', null, title));
  scores.forEach((row, i) => {
    const y = i * ROW_PX + 2;
    const isChosen = row.arm === chosenArm;
    const barWidth = Math.max(0, Math.min(1, row.probability)) * BAR_PX;
    const description = `${row.arm}: probability ${fmt(row.probability)}, score ${fmt(row.score)} (mean ${fmt(row.mean)} ± ${fmt(row.width)})${row.feasible ? '' : ', not applicable now'}${isChosen ? ', chosen' : ''}`;
    svg.append(
      s(
        'g',
        { class: `arm-row${isChosen ? ' chosen' : ''}${row.feasible ? '' : ' infeasible'}`, 'data-arm': row.arm, 'data-probability': String(row.probability) },
        s('title', null, description),
        s('rect', { class: 'track', x: LABEL_PX, y: y + 3, width: BAR_PX, height: ROW_PX - 8, rx: 3 }),
        s('rect', { class: 'bar', x: LABEL_PX, y: y + 3, width: barWidth.toFixed(1), height: ROW_PX - 8, rx: 3 }),
        s('text', { class: 'label', x: LABEL_PX - 8, y: y + ROW_PX / 2 + 4, 'text-anchor': 'end' }, `${isChosen ? '★ ' : ''}${row.arm}`),
        s('text', { class: 'value', x: LABEL_PX + BAR_PX + 8, y: y + ROW_PX / 2 + 4 }, `p ${fmt(row.probability, 2)} · ucb ${fmt(row.score, 2)}${row.feasible ? '' : ' · n/a'}`),
      ),
    );
  });
  return svg;
}

/** Horizontal bars for [{label, value, note}] scaled to the largest value. */
export function barChart(rows, { title, valueLabel = (v) => fmt(v), className = '', valuePx = 200 } = {}) {
  const width = LABEL_PX + BAR_PX + valuePx;
  const height = rows.length * ROW_PX + 4;
  const max = Math.max(1e-9, ...rows.map((r) => Math.abs(r.value)));
  const svg = s('svg', { class: `chart bar-chart ${className}`, viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': title });
  svg.append(s('title', null, title));
  rows.forEach((row, i) => {
    const y = i * ROW_PX + 2;
    svg.append(
      s(
        'g',
        { class: 'bar-row', 'data-label': row.label },
        s('title', null, `${row.label}: ${valueLabel(row.value)}${row.note ? ` (${row.note})` : ''}`),
        s('rect', { class: 'track', x: LABEL_PX, y: y + 3, width: BAR_PX, height: ROW_PX - 8, rx: 3 }),
        s('rect', { class: row.value < 0 ? 'bar negative' : 'bar', x: LABEL_PX, y: y + 3, width: ((Math.abs(row.value) / max) * BAR_PX).toFixed(1), height: ROW_PX - 8, rx: 3 }),
        s('text', { class: 'label', x: LABEL_PX - 8, y: y + ROW_PX / 2 + 4, 'text-anchor': 'end' }, row.label),
        s('text', { class: 'value', x: LABEL_PX + BAR_PX + 8, y: y + ROW_PX / 2 + 4 }, `${valueLabel(row.value)}${row.note ? ` · ${row.note}` : ''}`),
      ),
    );
  });
  return svg;
}

/** A line chart of points [{x, y}] with axes labelled by their extremes. */
export function lineChart(points, { title, xLabel, yLabel }) {
  const width = 560;
  const height = 220;
  const pad = { left: 52, right: 16, top: 12, bottom: 36 };
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(0, ...ys), Math.max(1e-9, ...ys)];
  const px = (x) => pad.left + (xMax === xMin ? 0.5 : (x - xMin) / (xMax - xMin)) * (width - pad.left - pad.right);
  const py = (y) => height - pad.bottom - ((y - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
  const svg = s('svg', { class: 'chart line-chart', viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': title });
  svg.append(
    s('title', null, title),
    s('line', { class: 'axis', x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom }),
    s('line', { class: 'axis', x1: pad.left, y1: pad.top, x2: pad.left, y2: height - pad.bottom }),
    s('text', { class: 'tick', x: pad.left - 6, y: py(yMax) + 4, 'text-anchor': 'end' }, fmt(yMax, 2)),
    s('text', { class: 'tick', x: pad.left - 6, y: py(yMin) + 4, 'text-anchor': 'end' }, fmt(yMin, 2)),
    s('text', { class: 'tick', x: px(xMin), y: height - pad.bottom + 14, 'text-anchor': 'middle' }, fmt(xMin)),
    s('text', { class: 'tick', x: px(xMax), y: height - pad.bottom + 14, 'text-anchor': 'middle' }, fmt(xMax)),
    s('text', { class: 'axis-label', x: (width + pad.left) / 2, y: height - 4, 'text-anchor': 'middle' }, xLabel),
    s('text', { class: 'axis-label', x: 12, y: (height - pad.bottom + pad.top) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(height - pad.bottom + pad.top) / 2})` }, yLabel),
  );
  if (points.length > 0) {
    svg.append(s('polyline', { class: 'line', points: points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ') }));
    for (const p of points) svg.append(s('circle', { class: 'point', cx: px(p.x).toFixed(1), cy: py(p.y).toFixed(1), r: 3 }, s('title', null, `${xLabel} ${fmt(p.x)}: ${yLabel} ${fmt(p.y)}`)));
  }
  return svg;
}

/** A caption block that pairs a chart with a short legend. */
export function figure(chart, caption) {
  return h('figure', { class: 'chart-figure' }, chart, caption ? h('figcaption', null, caption) : null);
}
