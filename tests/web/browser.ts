import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core (no downloaded browser). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM_PATH);

const REPO_ROOT = path.join(import.meta.dirname, '..', '..');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
export const DOCS_SCREENSHOT = path.join(REPO_ROOT, 'docs', 'viewer.png');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface WatchedPage {
  page: Page;
  /** Uncaught page errors and console errors. */
  errors: string[];
  /** Requests that left the server under test (the viewer must make none). */
  externalRequests: string[];
  close(): Promise<void>;
}

/** A page in a fresh context that records page errors and any request not aimed at `baseUrl`. */
export async function openPage(browser: Browser, baseUrl: string, viewport = { width: 1400, height: 1000 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const externalRequests: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // why: the browser logs every non-2xx fetch as a console error; those answers are what some tests provoke.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console: ${msg.text()}`);
  });
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(`${baseUrl}/`) && !url.startsWith('data:')) externalRequests.push(url);
  });
  return { page, errors, externalRequests, close: () => context.close() };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Installed before the page's scripts: records, in DOM order, every text node appended to an attempt's SQL box
 * (one per sql_chunk; replacing the text, as sql_complete does, removes nodes and is not recorded) and every change of an attempt card's data-phase, as `window.__sqlTrace`.
 */
export const SQL_TRACE_SCRIPT = `
window.__sqlTrace = [];
const accumulated = new Map();
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === 'attributes' && r.target.classList && r.target.classList.contains('attempt')) {
      window.__sqlTrace.push({ kind: 'phase', attempt: r.target.dataset.attempt, from: r.oldValue });
    }
    if (r.type === 'childList' && r.target.classList && r.target.classList.contains('sql-stream') && r.removedNodes.length === 0) {
      const card = r.target.closest('.attempt');
      if (!card) continue;
      for (const node of r.addedNodes) {
        if (node.nodeType !== Node.TEXT_NODE) continue;
        const text = (accumulated.get(card.dataset.attempt) ?? '') + node.data;
        accumulated.set(card.dataset.attempt, text);
        window.__sqlTrace.push({ kind: 'chunk', attempt: card.dataset.attempt, text });
      }
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'], attributeOldValue: true });
`;

export type SqlTraceEntry = { kind: 'phase'; attempt: string; from: string | null } | { kind: 'chunk'; attempt: string; text: string };
