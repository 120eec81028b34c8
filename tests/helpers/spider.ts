import fs from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';

/** Where the shared Spider train subset lives (SPIDER_DIR overrides). */
export const SPIDER_DIR = path.resolve(process.env.SPIDER_DIR ?? path.join(import.meta.dirname, '../../../shared/data/spider-train'));

export const isSpiderAvailable = fs.existsSync(path.join(SPIDER_DIR, 'questions.json'));
if (!isSpiderAvailable) console.warn(`[skip] Spider tests skipped: no dataset at ${SPIDER_DIR} (set SPIDER_DIR).`);

/** describe() for suites that need the Spider data: skipped with a visible reason when it is absent. */
export const describeSpider: typeof describe = (isSpiderAvailable ? describe : describe.skip) as typeof describe;
