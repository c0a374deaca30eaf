'use strict';
// Launches the system Chromium (Debian's /usr/bin/chromium) through
// playwright-core. Playwright's own browser download is never used.

const fs = require('node:fs');
const { before, after } = require('node:test');
const { chromium } = require('playwright-core');

const EXECUTABLE = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

async function launch() {
  if (!fs.existsSync(EXECUTABLE)) {
    throw new Error(`${EXECUTABLE} not found: apt-get install -y chromium (or set E2E_CHROMIUM)`);
  }
  // launch() uses a fresh temporary profile that Playwright removes on close.
  return chromium.launch({
    executablePath: EXECUTABLE,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// pageLog collects what a page reports, for failure messages.
function pageLog(page) {
  const lines = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    // The iframe page's "document.domain = document.domain" (the protocol's
    // fixed body) is ignored by current Chromium, with a warning; and there
    // is no favicon.
    if (m.text().includes('document.domain mutation is ignored') || m.location().url.endsWith('/favicon.ico')) return;
    lines.push(`console.${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    const f = r.failure();
    // Aborted requests are normal: the client aborts its polls on close.
    if (f && f.errorText !== 'net::ERR_ABORTED') lines.push(`requestfailed: ${r.method()} ${r.url()} ${f.errorText}`);
  });
  return lines;
}

// browserSuite registers the hooks of a test file that drives Chromium:
// before its tests, fx.init(), then start() (which starts the file's
// servers), then the browser; after them, the browser, stop() and fx.close().
// It returns an object whose `browser` is set once the hooks have run.
function browserSuite(fx, start, stop = async () => {}) {
  const env = { browser: null };
  const teardown = async () => {
    if (env.browser) await env.browser.close();
    await stop();
    await fx.close();
  };
  before(async () => {
    try {
      await fx.init();
      await start();
      env.browser = await launch();
    } catch (err) {
      await teardown();
      throw err;
    }
  }, { timeout: 240_000 });
  after(teardown, { timeout: 60_000 });
  return env;
}

module.exports = { launch, pageLog, browserSuite, EXECUTABLE };
