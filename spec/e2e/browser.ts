/**
 * Debian's headless chromium driven by puppeteer-core (nothing downloaded). The browser's
 * process is ended by its PID, and `close` returns once it is gone, so a spec can check that
 * no chromium it started is left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface HeadlessBrowser {
  browser: Browser;
  pid: number;
  page(width?: number, height?: number): Promise<Page>;
  close(): Promise<void>;
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `networkEvents: false` (benches): puppeteer does not follow the pages' network, so it is not
 * sent every WebSocket frame the page receives — that traffic and its parsing land in the
 * calling process and would be counted as the UI's cost.
 */
export async function launchBrowser(opts: { networkEvents?: boolean } = {}): Promise<HeadlessBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'kubeactor-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    networkEnabled: opts.networkEvents ?? true,
    userDataDir: profile,
    // No sandbox: the CI container has no user namespaces for it; the pages are our own, on loopback.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions', '--disable-background-networking', '--proxy-server=direct://', '--proxy-bypass-list=*'],
  });
  const pid = browser.process()?.pid;
  if (pid === undefined) throw new Error('chromium: no process');
  return {
    browser,
    pid,
    async page(width = 1400, height = 900) {
      const p = await browser.newPage();
      await p.setViewport({ width, height });
      return p;
    },
    async close() {
      await browser.close().catch(() => {});
      // browser.close waits for the process; if it did not go, end it by its PID.
      for (let i = 0; i < 50 && alive(pid); i++) {
        if (i === 20) process.kill(pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 100));
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
