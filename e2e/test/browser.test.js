'use strict';
// sockjs-client 1.6.1 in Chromium against the Go server, one test per
// transport and origin setup:
//
//   same-origin   the page is served by the SockJS server's own origin
//   cross-origin  the page comes from another origin (another port), so the
//                 client uses CORS, or its iframe transports
//
// Each test runs three scenarios (pages/scenario.js): echo of a batch of
// messages, a server-initiated close (/close), and a client-initiated close
// that the chat example must notice (its observer sees the leave).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Fixture, PAGES_DIR, CLIENT_JS } = require('../lib/servers');
const { launch, pageLog } = require('../lib/browser');
const cases = require('../lib/cases');

const TIMEOUT_MS = 20_000; // one scenario step (open, echo, close)
const LEAVE_TIMEOUT_MS = 15_000; // session end after a client close: see README

const fx = new Fixture('browser');
let browser;
let A; // SockJS test services and static pages
let B; // another origin serving the same static pages
let C; // chat example, allowing B's origin

before(async () => {
  await fx.init();
  [A, B] = await Promise.all([fx.testServer('A'), fx.testServer('B')]);
  C = await fx.chatServer('C', `${A.origin}/static/sockjs.min.js`, [B.origin]);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  await fx.close();
});

// pageAt opens a page in a fresh browser context. For the chat server,
// which serves no test page, the page is answered by the test itself at
// <C>/e2e/ (Playwright routing) so that it is same-origin with the chat's
// SockJS service; everything else on that origin goes to the real server.
async function pageAt(origin, log) {
  const context = await browser.newContext();
  await context.route((url) => url.origin === C.origin && url.pathname.startsWith('/e2e/'), (route) => {
    const name = new URL(route.request().url()).pathname.slice('/e2e/'.length);
    const file = name === 'sockjs.min.js' ? CLIENT_JS : ['index.html', 'scenario.js'].includes(name) ? path.join(PAGES_DIR, name) : null;
    return file ? route.fulfill({ path: file }) : route.fulfill({ status: 404, body: 'not found' });
  });
  const page = await context.newPage();
  const lines = pageLog(page);
  const dir = origin === C.origin ? '/e2e/' : '/static/';
  await page.goto(`${origin}${dir}index.html`, { timeout: 15_000 });
  return { context, page, lines };
}

function scenario(page, name, options) {
  return page.evaluate(([n, o]) => window.e2e[n](window.SockJS, o), [name, options]);
}

for (const origin of ['same-origin', 'cross-origin']) {
  describe(`chromium ${origin}`, { concurrency: 3 }, () => {
    for (const transport of cases.TRANSPORTS) {
      it(transport, { timeout: 120_000 }, async (t) => {
        const started = Date.now();
        const row = { env: 'chromium', origin, transport };
        const expectNA = cases.expectedRefusal('chromium', transport, origin);
        const problems = [];
        const logs = [];
        const opened = [];
        try {
          const pageOrigin = origin === 'same-origin' ? A.origin : B.origin;
          const p1 = await pageAt(pageOrigin, logs);
          opened.push(p1);
          const echo = await scenario(p1.page, 'echo', {
            url: `${A.origin}/echo`, transport, messages: cases.MESSAGES, timeoutMs: TIMEOUT_MS,
          });
          if (cases.refused(echo)) {
            if (expectNA) {
              cases.record({ ...row, status: 'n/a', detail: `client refuses it: ${expectNA}` });
              t.skip(`n/a (client): ${expectNA}`);
              return;
            }
            problems.push('the client refused this transport (after the server\'s /info), which it should not');
          } else {
            if (expectNA) t.diagnostic(`note: expected the client to refuse ${transport}, but it offered it`);
            cases.judgeEcho(problems, echo, transport);
            const closed = await scenario(p1.page, 'serverClose', { url: `${A.origin}/close`, transport, timeoutMs: TIMEOUT_MS });
            cases.judgeServerClose(problems, closed, transport);

            // The client-close check needs the chat server: same-origin
            // means a page on the chat's origin.
            const p2 = await pageAt(origin === 'same-origin' ? C.origin : B.origin, logs);
            opened.push(p2);
            const cc = await scenario(p2.page, 'clientClose', {
              url: `${C.origin}/chat`, transport, timeoutMs: TIMEOUT_MS, leaveTimeoutMs: LEAVE_TIMEOUT_MS,
            });
            cases.judgeClientClose(problems, cc, transport);
            if (cc.leaveSeen) t.diagnostic(`session ended ${cc.leaveMs} ms after close()`);
            t.diagnostic(`open ${echo.openMs} ms, echo ${echo.echoMs} ms`);
          }
        } catch (err) {
          problems.push(`error: ${err.message.split('\n')[0]}`);
        } finally {
          for (const p of opened) {
            logs.push(...p.lines);
            await p.context.close().catch(() => {});
          }
        }
        const ms = Date.now() - started;
        if (problems.length && logs.length) problems.push(...logs.slice(0, 10).map((l) => `  ${l}`));
        cases.record({ ...row, status: problems.length ? 'fail' : 'pass', detail: problems.join('\n'), ms });
        assert.deepEqual(problems, [], `${transport} ${origin}`);
      });
    }
  });
}
