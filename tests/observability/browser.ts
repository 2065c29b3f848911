// A real browser for the diagnostics UI tests: Debian's chromium (installed by
// tools/chromium/get.sh; never `playwright install`) driven by playwright-core,
// headless, with a fresh profile per launch. playwright-core is declared by
// packages/admin; tests/ is not a workspace package, so it is loaded from there.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

const requireFromAdmin = createRequire(new URL('../../packages/admin/package.json', import.meta.url));

export const chromiumPath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export function browserSkipReason(suite: string): string | undefined {
  return existsSync(chromiumPath)
    ? undefined
    : `\n*** ${suite}: SKIPPED — no chromium at ${chromiumPath}. Run 'bash tools/chromium/get.sh' (as root: apt-get install -y chromium).\n`;
}

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  /** A new page whose console errors and uncaught exceptions are collected in `errors`. */
  page(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = requireFromAdmin('playwright-core') as typeof import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'attache-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async page() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      return { page, errors };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
