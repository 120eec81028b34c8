import { createSampler, argmax } from '../src/model/sampling.js';
const l = new Float32Array(151936); for (let i=0;i<l.length;i++) l[i]=Math.sin(i)*3;
for (const p of [1, 0.9]) { const s = createSampler({temperature:1, topP:p, seed:1}); let t=performance.now(); for (let i=0;i<10;i++) s(l); console.log(p, (performance.now()-t)/10, 'ms'); }
let t=performance.now(); for (let i=0;i<10;i++) argmax(l); console.log('argmax', (performance.now()-t)/10);
