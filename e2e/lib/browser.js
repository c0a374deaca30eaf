'use strict';
// One driver layer for the browsers of the suite, so that a test is written
// once and runs in each:
//
//   chromium  Debian's /usr/bin/chromium through playwright-core (CDP)
//   firefox   Debian's /usr/bin/firefox-esr through puppeteer-core, over
//             WebDriver BiDi (no geckodriver)
//
// Neither library downloads a browser here: both are given the system
// binary. A test sees only the small interface below (Browser, Context,
// Page), never Playwright's or Puppeteer's objects.

const fs = require('node:fs');
const { before, after } = require('node:test');

const BROWSERS = {
  chromium: {
    title: 'Chromium',
    executable: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
    install: 'apt-get install -y chromium (or set E2E_CHROMIUM)',
  },
  firefox: {
    title: 'Firefox',
    executable: process.env.E2E_FIREFOX || '/usr/bin/firefox-esr',
    install: 'apt-get install -y firefox-esr (or set E2E_FIREFOX)',
  },
};

// browserNames lists the browsers to run: E2E_BROWSERS (comma-separated)
// or all of them.
function browserNames() {
  const names = (process.env.E2E_BROWSERS || Object.keys(BROWSERS).join(','))
    .split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!BROWSERS[n]) throw new Error(`E2E_BROWSERS: unknown browser ${JSON.stringify(n)}`);
  }
  return names;
}

// Console noise that says nothing about the server: the iframe page's
// "document.domain = document.domain" (the protocol's fixed body) is
// ignored by current browsers, with a warning; there is no favicon.
function ignoredConsole(text, url) {
  return /document\.domain/.test(text) || (url || '').endsWith('/favicon.ico');
}

// Aborted requests are normal: the client aborts its polls on close, and a
// closing page aborts what it has running (Firefox over BiDi reports the
// latter as "Browsing context already closed.").
function ignoredFailure(errorText) {
  return errorText === 'net::ERR_ABORTED' || errorText === 'NS_BINDING_ABORTED' ||
    /^Browsing context already closed/.test(errorText);
}

// ---- Chromium (playwright-core) ----

async function launchChromium(exe) {
  const { chromium } = require('playwright-core');
  // launch() uses a fresh temporary profile that Playwright removes on close.
  const browser = await chromium.launch({
    executablePath: exe,
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
  return {
    version: browser.version(),
    async newContext() {
      const context = await browser.newContext();
      return {
        async newPage() {
          const page = await context.newPage();
          const lines = [];
          page.on('console', (m) => {
            if (m.type() !== 'error' && m.type() !== 'warning') return;
            if (ignoredConsole(m.text(), m.location().url)) return;
            lines.push(`console.${m.type()}: ${m.text()} (${m.location().url})`);
          });
          page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
          page.on('requestfailed', (r) => {
            const f = r.failure();
            if (f && !ignoredFailure(f.errorText)) lines.push(`requestfailed: ${r.method()} ${r.url()} ${f.errorText}`);
          });
          return {
            lines,
            goto: (url, ms = 15_000) => page.goto(url, { timeout: ms }),
            evaluate: (fn, arg) => page.evaluate(fn, arg),
            addScript: (path) => page.addScriptTag({ path }),
            waitForSelector: (sel, ms) => page.waitForSelector(sel, { timeout: ms }),
            waitForFunction: (fn, arg, ms) => page.waitForFunction(fn, arg, { timeout: ms }),
            fill: (sel, text) => page.fill(sel, text),
            press: (sel, key) => page.press(sel, key),
            close: () => page.close(),
          };
        },
        async cookies(url) {
          return (await context.cookies(url)).map((c) => ({ name: c.name, value: c.value, path: c.path, domain: c.domain }));
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// ---- Firefox (puppeteer-core, WebDriver BiDi) ----

async function launchFirefox(exe) {
  const puppeteer = require('puppeteer-core');
  // A fresh temporary profile that Puppeteer removes on close. The prefs
  // only keep Firefox off the network at start-up (no update, telemetry or
  // captive-portal checks); none changes how a page's requests behave.
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: exe,
    headless: true,
    timeout: 60_000,
    protocolTimeout: 60_000,
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'toolkit.telemetry.enabled': false,
    },
  });
  // Firefox's remote agent creates a tab next to the selected one; when that
  // tab is being closed at the same moment (another test closing its
  // context), browsingContext.create fails with "no such frame:
  // BrowsingContext does no longer exist". Opening and closing tabs and
  // contexts one at a time avoids it; each takes a few ms.
  let queue = Promise.resolve();
  const serial = (fn) => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  return {
    version: await browser.version(),
    async newContext() {
      // An isolated context (a WebDriver BiDi user context): its own
      // cookies and cache, like Playwright's newContext().
      const context = await serial(() => browser.createBrowserContext());
      return {
        async newPage() {
          const page = await serial(() => context.newPage());
          const lines = [];
          page.on('console', (m) => {
            if (m.type() !== 'error' && m.type() !== 'warn') return;
            if (ignoredConsole(m.text(), m.location().url)) return;
            lines.push(`console.${m.type()}: ${m.text()} (${m.location().url})`);
          });
          page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
          page.on('requestfailed', (r) => {
            const f = r.failure();
            if (f && !ignoredFailure(f.errorText)) lines.push(`requestfailed: ${r.method()} ${r.url()} ${f.errorText}`);
          });
          return {
            lines,
            goto: (url, ms = 15_000) => page.goto(url, { timeout: ms, waitUntil: 'load' }),
            evaluate: (fn, arg) => page.evaluate(fn, arg),
            addScript: (path) => page.addScriptTag({ path }),
            waitForSelector: (sel, ms) => page.waitForSelector(sel, { timeout: ms }),
            waitForFunction: (fn, arg, ms) => page.waitForFunction(fn, { timeout: ms, polling: 100 }, arg),
            // Like Playwright's fill: set the value and fire "input".
            fill: (sel, text) => page.$eval(sel, (el, t) => {
              el.focus();
              el.value = t;
              el.dispatchEvent(new Event('input', { bubbles: true }));
            }, text),
            press: async (sel, key) => {
              await page.focus(sel);
              await page.keyboard.press(key);
            },
            close: () => serial(() => page.close()),
          };
        },
        async cookies(url) {
          const host = new URL(url).hostname;
          return (await context.cookies())
            .filter((c) => c.domain === host || c.domain === `.${host}`)
            .map((c) => ({ name: c.name, value: c.value, path: c.path, domain: c.domain }));
        },
        close: () => serial(() => context.close()),
      };
    },
    close: () => browser.close(),
  };
}

// launch starts the named browser from its system binary.
async function launch(name) {
  const b = BROWSERS[name];
  if (!fs.existsSync(b.executable)) {
    throw new Error(`${b.executable} not found: ${b.install}`);
  }
  const browser = name === 'chromium' ? await launchChromium(b.executable) : await launchFirefox(b.executable);
  return { name, title: b.title, ...browser };
}

// browserSuite registers the hooks of a test file that drives a browser:
// before its tests, fx.init(), then start() (which starts the file's
// servers), then the browsers; after them, the browsers, stop() and
// fx.close(). It returns an object whose `browsers` maps each name of
// browserNames() to its Browser once the hooks have run.
function browserSuite(fx, start, stop = async () => {}) {
  const env = { browsers: {} };
  const teardown = async () => {
    await Promise.all(Object.values(env.browsers).map((b) => b.close().catch(() => {})));
    env.browsers = {};
    await stop();
    await fx.close();
  };
  before(async () => {
    try {
      await fx.init();
      await start();
      // One after the other: two cold starts at once on 2 cores only
      // slow each other down.
      for (const name of browserNames()) {
        env.browsers[name] = await launch(name);
      }
    } catch (err) {
      await teardown();
      throw err;
    }
  }, { timeout: 240_000 });
  after(teardown, { timeout: 60_000 });
  return env;
}

module.exports = { BROWSERS, browserNames, launch, browserSuite };
