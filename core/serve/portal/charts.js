// charts.js: Chart.js (served from Debian's libjs-chart.js at /portal/vendor/chart.js)
// when it loaded; otherwise a note. A chart is never the only place of its numbers: each
// page puts the same figures in a table next to it.
import {h} from './dom.js';

const palette = ['#0b5cad', '#c4661f', '#17643a', '#7b3fa0', '#a4161a', '#4a5560', '#0f8a8a', '#8a6d0f'];

/**
 * A chart in parent: kind 'bar' | 'line', title (the figure's caption and the canvas's
 * accessible name), labels, series [{label, data (Numbers)}], yLabel. Returns the
 * Chart or null when Chart.js is not available.
 */
export function chart(parent, kind, title, labels, series, yLabel) {
  const Chart = window.Chart;
  if (!Chart) {
    parent.append(h('p', {class: 'note'}, title + ': the chart is not shown (Chart.js is not available on this service); the numbers are in the table.'));
    return null;
  }
  const canvas = h('canvas', {role: 'img', 'aria-label': title + '. The numbers are in the table that follows.'});
  parent.append(h('figure', {class: 'chart'}, canvas, h('figcaption', {}, title)));
  return new Chart(canvas, {
    type: kind,
    data: {labels, datasets: series.map((s, i) => ({label: s.label, data: s.data,
      backgroundColor: s.color || palette[i % palette.length], borderColor: s.color || palette[i % palette.length],
      borderWidth: kind === 'line' ? 2 : 0, fill: false, tension: 0}))},
    options: {animation: false, responsive: true, maintainAspectRatio: false,
      plugins: {legend: {position: 'bottom'}},
      scales: {y: {beginAtZero: true, title: {display: !!yLabel, text: yLabel || ''}}}},
  });
}
