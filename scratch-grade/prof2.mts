import { spiderResultEq } from '../src/env/grade/compare.ts';
const rows = Array.from({length: 10000}, (_, i) => [i, `2013-0${i%9+1}-1${i%10} 00:00:00`]);
const t = { columns: ['a','b'], rows, floatCells: [] as number[] };
const p = { ...t, rows: [...rows].reverse() };
for (let k = 0; k < 5; k++) { const s = performance.now(); spiderResultEq(t, p, false); console.log('bag', performance.now() - s); }
for (let k = 0; k < 3; k++) { const s = performance.now(); spiderResultEq(t, t, true); console.log('ordered', performance.now() - s); }
