import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

/** Screenshots land in the repository's test-artifacts/ (git-ignored), one per console page. */
export const ARTIFACTS_DIR = path.resolve(__dirname, '../../../test-artifacts');
const AXE_SOURCE = path.resolve(__dirname, '../../../node_modules/axe-core/axe.min.js');

/** Debian's chromium, headless: no browser download. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Every console message about the Content-Security-Policy, so a test can assert there is none. */
export function watchCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * Runs axe-core (WCAG 2 A/AA rules) in the page and fails on serious or critical findings.
 * The script goes in through the debugger protocol (evaluate), which the page's CSP does not
 * govern, so the console keeps its strict policy under test.
 */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  // String expressions: they run in the page, whose globals (window, axe) the server's types do not know.
  const loaded = await page.evaluate("typeof window.axe !== 'undefined'");
  if (!loaded) await page.evaluate(await fs.readFile(AXE_SOURCE, 'utf8'));
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
  const violations = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(tags)} } }).then((result) => result.violations)`)) as AxeViolation[];
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const report = serious.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`);
  assert.deepEqual(report, [], `accessibility violations on ${what}`);
}

/** The page does not scroll sideways: everything fits a phone's width. */
export async function assertNoHorizontalScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, clientWidth } = (await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })')) as {
    scrollWidth: number;
    clientWidth: number;
  };
  assert.ok(scrollWidth <= clientWidth, `${what} is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
}
