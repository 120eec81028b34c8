import { describe, expect, it } from 'vitest';
import { argmax, createSampler } from '../../src/model/sampling.js';

const logits = Float32Array.from([0.1, 2.5, 2.4, -1, 2.5]);

describe('createSampler', () => {
  it('is greedy at temperature 0 and the first maximum wins ties', () => {
    expect(createSampler({ temperature: 0, topP: 1 })(logits)).toBe(1);
    expect(argmax(logits)).toBe(1);
  });

  it('draws the same sequence for the same seed', () => {
    const draw = (seed: number) => {
      const sample = createSampler({ temperature: 1, topP: 1, seed });
      return Array.from({ length: 30 }, () => sample(logits));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(new Set(draw(7)).size).toBeGreaterThan(1);
  });

  it('never draws outside the top-p nucleus', () => {
    // probabilities ≈ 0.87, 0.12, 0.0…: top_p 0.5 keeps only index 0
    const peaked = Float32Array.from([4, 2, -5, -5]);
    const sample = createSampler({ temperature: 1, topP: 0.5, seed: 1 });
    expect(new Set(Array.from({ length: 200 }, () => sample(peaked)))).toEqual(new Set([0]));
  });

  it('draws lower-probability tokens when the nucleus includes them', () => {
    const peaked = Float32Array.from([4, 2, -5, -5]);
    const sample = createSampler({ temperature: 1, topP: 1, seed: 1 });
    expect(new Set(Array.from({ length: 400 }, () => sample(peaked)))).toContain(1);
  });

  it('keeps exactly the smallest set of top tokens reaching top_p on a wide vocabulary', () => {
    const wide = Float32Array.from({ length: 5000 }, (_, i) => Math.cos(i * 7.3) * 4);
    const probs = Array.from(wide, (l) => Math.exp(l - 4));
    const total = probs.reduce((a, b) => a + b, 0);
    const order = probs.map((_, i) => i).sort((a, b) => (probs[b] as number) - (probs[a] as number));
    const nucleus = new Set<number>();
    let mass = 0;
    for (const i of order) {
      nucleus.add(i);
      mass += probs[i] as number;
      if (mass >= 0.3 * total) break;
    }
    const sample = createSampler({ temperature: 1, topP: 0.3, seed: 5 });
    const drawn = Array.from({ length: 2000 }, () => sample(wide));
    expect(drawn.every((i) => nucleus.has(i))).toBe(true);
    expect(new Set(drawn).size).toBeGreaterThan(nucleus.size / 2);
  });
});
