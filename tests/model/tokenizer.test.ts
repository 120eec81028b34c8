import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadModelDir } from '../../src/model/model-dir.js';
import { createChatTokenizer, type ChatTokenizer } from '../../src/model/tokenizer.js';
import { tinyModelDir } from '../helpers/tiny-model.js';

let tokenizer: ChatTokenizer;
let files: ReturnType<typeof loadModelDir>;

describe('createChatTokenizer (real Qwen tokenizer files)', () => {
  beforeAll(() => {
    files = loadModelDir(tinyModelDir().dir, 'fp32');
    tokenizer = createChatTokenizer(files);
  });

  it('renders the ChatML prompt from the directory template, ending with the assistant opening', () => {
    const prompt = tokenizer.renderChat([
      { role: 'system', content: 'You write SQL.' },
      { role: 'user', content: 'How many singers?' },
    ]);
    expect(prompt).toBe('<|im_start|>system\nYou write SQL.<|im_end|>\n<|im_start|>user\nHow many singers?<|im_end|>\n<|im_start|>assistant\n');
  });

  it('maps special-token text to its id and ordinary text to Qwen BPE ids', () => {
    expect(tokenizer.encode('<|im_start|>assistant\n')).toEqual([151644, 77091, 198]);
    expect(tokenizer.encode('SELECT COUNT(*) FROM singer')).toEqual([4858, 23989, 28671, 4295, 22757]);
  });

  it('decodes back to the text and skips special tokens', () => {
    const ids = tokenizer.encode('<|im_start|>SELECT name FROM 歌手<|im_end|>');
    expect(tokenizer.decode(ids)).toBe('SELECT name FROM 歌手');
    expect(tokenizer.tokenId('<|im_end|>')).toBe(151645);
  });

  it('reports an unparsable chat template as a ConfigError', () => {
    expect(() => createChatTokenizer({ ...files, chatTemplate: '{% if %}' })).toThrow(ConfigError);
  });
});
