import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { buildTinyDecoder } from '../src/model/tiny-model/tiny-decoder.js';
const bytes = buildTinyDecoder({ vocabSize: 64, chain: [3, 10, 20, 30, 40, 0] });
fs.writeFileSync('/tmp/tm/m.onnx', bytes);
console.log('size', bytes.length);
const s = await ort.InferenceSession.create('/tmp/tm/m.onnx');
console.log(JSON.stringify(s.inputMetadata), JSON.stringify(s.outputMetadata));
const ids=[5n,9n,3n];
const feeds: Record<string, ort.Tensor> = {
  input_ids: new ort.Tensor('int64', BigInt64Array.from(ids), [1,3]),
  attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n,1n,1n]), [1,3]),
  position_ids: new ort.Tensor('int64', BigInt64Array.from([0n,1n,2n]), [1,3]),
};
for (let i=0;i<2;i++) for (const k of ['key','value']) feeds[`past_key_values.${i}.${k}`]=new ort.Tensor('float32', new Float32Array(0), [1,2,0,8]);
const out = await s.run(feeds);
const l = out.logits!; console.log(l.dims, out['present.0.key']!.dims);
const d = l.data as Float32Array; const last = d.subarray(2*64); let b=0; for (let i=1;i<64;i++) if (last[i]!>last[b]!) b=i; console.log('argmax', b);
