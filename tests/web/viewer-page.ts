import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { openPage, type WatchedPage } from './browser.js';

/** Page-level steps of the viewer tests: open it, start an episode, read an attempt card. */

export async function openViewer(browser: Browser, baseUrl: string, viewport?: { width: number; height: number }, initScript?: string): Promise<WatchedPage> {
  const watched = await openPage(browser, baseUrl, viewport);
  if (initScript !== undefined) await watched.page.addInitScript({ content: initScript });
  const response = await watched.page.goto(`${baseUrl}/`);
  expect(response?.status(), 'GET / must lead to the viewer page, with or without an API token').toBe(200);
  await watched.page.locator('body[data-ready="true"]').waitFor();
  return watched;
}

export async function startEpisode(page: Page, taskId: string, questionId: string): Promise<void> {
  await page.selectOption('#task-select', taskId);
  await page.selectOption('#question-select', questionId);
  await page.click('#reset-button');
  await page.locator(`[data-field="question"]`, { hasText: questionId }).waitFor();
}

export const attempt = (page: Page, n: number) => page.locator(`.attempt[data-attempt="${n}"]`);

export async function waitAttemptDone(page: Page, n: number): Promise<void> {
  await page.locator(`.attempt[data-attempt="${n}"][data-phase="done"]`).waitFor({ timeout: 60_000 });
}

/** The probabilities drawn in an attempt's arm chart, and the arm marked as chosen. */
export async function chartOf(page: Page, n: number) {
  const rows = attempt(page, n).locator('svg.arm-chart .arm-row');
  const probabilities = (await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-probability'))))) as number[];
  const chosen = (await attempt(page, n).locator('svg.arm-chart .arm-row.chosen').evaluateAll((els) => els.map((el) => el.getAttribute('data-arm')))) as string[];
  return { probabilities, chosen };
}

export function expectCleanPage(watched: WatchedPage): void {
  expect(watched.errors).toEqual([]);
  expect(watched.externalRequests).toEqual([]);
}
