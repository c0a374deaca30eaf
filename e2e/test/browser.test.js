'use strict';
// sockjs-client 1.6.1 in each browser (lib/browser.js: Chromium and Firefox)
// against the Go server, one test per browser, transport and origin setup:
//
//   same-origin   the page is served by the SockJS server's own origin
//   cross-origin  the page comes from another origin (another port), so the
//                 client uses CORS, or its iframe transports
//
// Each test runs five scenarios (pages/scenario.js): echo of a batch of
// messages, a server-initiated close (/close), a client-initiated close
// that the chat example must notice (its observer sees the leave), and the
// page that holds a chat session closing, then navigating away: the server
// must end that session in time too (a Node.js observer sees the leave).

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const SockJS = require('sockjs-client');
const e2e = require('../pages/scenario.js');
const { Fixture, PAGES_DIR } = require('../lib/servers');
const { browserSuite, browserNames } = require('../lib/browser');
const cases = require('../lib/cases');

const fx = new Fixture('browser');
let A; // SockJS test services and static pages
let B; // another origin serving the same static pages
let C; // chat example, allowing B's origin

const env = browserSuite(fx, async () => {
  [A, B] = await Promise.all([fx.testServer('A'), fx.testServer('B')]);
  C = await fx.chatServer('C', `${A.origin}/static/sockjs.min.js`, [B.origin]);
});

// load opens a test page of origin in page. The chat server serves no test
// page, so on its origin it opens the chat's own page (which joins the chat
// itself, harmlessly) and adds scenario.js to it: a page that is
// same-origin with the chat's SockJS service.
async function load(page, origin) {
  if (origin === C.origin) {
    await page.goto(`${origin}/`);
    await page.addScript(path.join(PAGES_DIR, 'scenario.js'));
  } else {
    await page.goto(`${origin}/static/index.html`);
  }
}

// pageAt opens a test page of origin in a fresh context of the browser.
async function pageAt(browser, origin) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await load(page, origin);
    return { context, page, lines: page.lines };
  } catch (err) {
    await context.close().catch(() => {});
    throw err;
  }
}

function scenario(page, name, options) {
  return page.evaluate(([n, o]) => window.e2e[n](window.SockJS, o), [name, options]);
}

// abandoned checks that the server ends a chat session whose page goes away
// (how: 'close' closes the page, 'navigate' loads another document in it)
// within the transport's bound, as a Node.js observer on websocket sees it.
// It takes over p, a page of the cell done with its earlier scenarios, and
// loads a fresh document in it: a context fewer to open and close per
// check, which on 2 cores is most of a cell's time.
async function abandoned(p, problems, how, transport, origin) {
  const step = how === 'close' ? 'page closed' : 'page navigated away';
  const observer = e2e.observe(SockJS, { url: `${C.origin}/chat`, ...cases.TIMING });
  try {
    if (!(await observer.ready)) {
      problems.push(`${step}: the observer (Node.js, websocket) did not join the chat: ${JSON.stringify(observer.closed())}`);
      return null;
    }
    await load(p.page, origin === 'same-origin' ? C.origin : B.origin);
    const joined = await scenario(p.page, 'join', { url: `${C.origin}/chat`, transport, ...cases.TIMING });
    if (!joined.name) {
      problems.push(`${step}: did not join the chat (opened ${joined.opened}, close ${JSON.stringify(joined.close)})`);
      return null;
    }
    if (joined.transport !== transport) problems.push(`${step}: sock.transport is ${joined.transport}, want ${transport}`);
    if (!(await observer.joined(joined.name, cases.TIMING.timeoutMs))) {
      problems.push(`${step}: the observer did not see ${joined.name} join`);
      return null;
    }
    // As in clientClose: let the subject settle, so that a polling
    // transport has its next poll pending when the page goes away.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const bound = cases.leaveBoundMs(transport);
    const t0 = Date.now();
    const left = observer.left(joined.name, bound + 1000);
    if (how === 'close') {
      await p.page.close();
    } else {
      await p.page.goto(`${A.origin}/static/index.html?away`);
    }
    const seen = await left;
    const ms = Date.now() - t0;
    if (!seen) {
      problems.push(`${step}: the server did not end the session within ${ms} ms`);
    } else if (ms > bound) {
      problems.push(`${step}: the server ended the session ${ms} ms after, want <= ${bound} ms`);
    }
    return seen ? ms : null;
  } finally {
    if (problems.length) problems.push(...p.lines.slice(-5).map((l) => `  ${l}`));
    await p.context.close().catch(() => {});
    await observer.close();
  }
}

// Every transport in both origin setups, the slowest (jsonp-polling, see
// cases.leaveBoundMs) first, a few at a time.
const MATRIX = [];
for (const transport of ['jsonp-polling', ...cases.TRANSPORTS.filter((t) => t !== 'jsonp-polling')]) {
  for (const origin of ['same-origin', 'cross-origin']) {
    MATRIX.push({ transport, origin });
  }
}

for (const name of browserNames()) {
  describe(name, { concurrency: 3 }, () => {
    for (const { transport, origin } of MATRIX) {
      it(`${transport} ${origin}`, { timeout: 150_000 }, async (t) => {
        const browser = env.browsers[name];
        const started = Date.now();
        const row = { env: name, origin, transport };
        const expectNA = cases.expectedRefusal(name, transport, origin);
        const known = cases.knownFailure(name, transport, origin);
        const problems = [];
        const logs = [];
        const opened = [];
        const times = {};
        try {
          const pageOrigin = origin === 'same-origin' ? A.origin : B.origin;
          const p1 = await pageAt(browser, pageOrigin);
          opened.push(p1);
          const echo = await scenario(p1.page, 'echo', {
            url: `${A.origin}/echo`, transport, messages: cases.MESSAGES, ...cases.TIMING,
          });
          if (cases.refused(echo)) {
            if (expectNA) {
              cases.record({ ...row, status: 'n/a', detail: `client refuses it: ${expectNA}` });
              t.skip(`n/a (client): ${expectNA}`);
              return;
            }
            problems.push('the client refused this transport (after the server\'s /info), which it should not');
          } else if (known && !echo.opened && p1.lines.some((l) => l.includes(known.signature))) {
            cases.record({ ...row, status: 'known', detail: `fails (known): ${known.reason}` });
            t.skip(`fails (known): ${known.signature}`);
            return;
          } else {
            if (expectNA) t.diagnostic(`note: expected the client to refuse ${transport}, but it offered it`);
            if (known) t.diagnostic(`note: listed as a known failure (${known.signature}), but ${echo.opened ? 'it opened' : 'it failed another way'}`);
            cases.judgeEcho(problems, echo, transport);
            times.open = echo.openMs;
            times.echo = echo.echoMs;
            const closed = await scenario(p1.page, 'serverClose', { url: `${A.origin}/close`, transport, ...cases.TIMING });
            cases.judgeServerClose(problems, closed, transport);

            // The client-close check needs the chat server: same-origin
            // means a page on the chat's origin.
            const p2 = await pageAt(browser, origin === 'same-origin' ? C.origin : B.origin);
            opened.push(p2);
            const cc = await scenario(p2.page, 'clientClose', {
              url: `${C.origin}/chat`, transport, ...cases.TIMING,
              leaveTimeoutMs: cases.leaveBoundMs(transport) + 1000, settleMs: 300,
            });
            cases.judgeClientClose(problems, cc, transport);
            if (cc.leaveSeen) times.clientClose = cc.leaveMs;
            for (const p of opened) logs.push(...p.lines);
            // Two sessions of their own, so both at once; each takes over
            // one of the pages, and closes its context.
            const [q1, q2] = opened.splice(0);
            [times.pageClose, times.navigate] = await Promise.all([
              abandoned(q1, problems, 'close', transport, origin),
              abandoned(q2, problems, 'navigate', transport, origin),
            ]);
            t.diagnostic(`ms: ${JSON.stringify(times)}`);
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
        cases.record({ ...row, status: problems.length ? 'fail' : 'pass', detail: problems.join('\n'), ms, times });
        assert.deepEqual(problems, [], `${name} ${transport} ${origin}`);
      });
    }
  });
}

// The other test services, with the transport the client chooses: the
// default origin policy, /info's websocket:false and the JSESSIONID cookie.
const SMALL = ['hello', 'żółć 😀 𝄞', '</script>'];

async function serviceTest(t, browser, service, origin, check) {
  const row = { env: `service:${browser.name}`, origin, transport: service };
  const started = Date.now();
  const problems = [];
  let p;
  try {
    p = await pageAt(browser, origin === 'same-origin' ? A.origin : B.origin);
    await check(p, problems);
  } catch (err) {
    problems.push(`error: ${err.message.split('\n')[0]}`);
  } finally {
    if (p) {
      if (problems.length) problems.push(...p.lines.slice(0, 10).map((l) => `  ${l}`));
      await p.context.close().catch(() => {});
    }
  }
  cases.record({ ...row, status: problems.length ? 'fail' : 'pass', detail: problems.join('\n'), ms: Date.now() - started });
  assert.deepEqual(problems, [], `${browser.name} ${service} ${origin}`);
}

function echoes(problems, obs, what) {
  if (!obs.opened) {
    problems.push(`${what}: did not open (close ${JSON.stringify(obs.closeBeforeOpen)})`);
    return;
  }
  if (JSON.stringify(obs.received) !== JSON.stringify(SMALL)) {
    problems.push(`${what}: echoed ${JSON.stringify(obs.received)}, want ${JSON.stringify(SMALL)}`);
  }
}

for (const name of browserNames()) describe(`${name} services`, { concurrency: 3 }, () => {
  for (const origin of ['same-origin', 'cross-origin']) {
    it(`/default_echo (zero Options: same origin only) ${origin}`, { timeout: 60_000 }, (t) =>
      serviceTest(t, env.browsers[name], '/default_echo', origin, async (p, problems) => {
        const obs = await scenario(p.page, 'echo', { url: `${A.origin}/default_echo`, transport: null, messages: SMALL, ...cases.TIMING });
        if (origin === 'same-origin') {
          echoes(problems, obs, 'same-origin page');
        } else if (obs.opened) {
          problems.push(`a page of another origin opened a session over ${obs.transport}; the default policy must refuse it`);
        } else if (!obs.closeBeforeOpen || obs.closeBeforeOpen.code !== 1002) {
          // The client's answer to a refused /info (403 without CORS headers).
          problems.push(`refused with close ${JSON.stringify(obs.closeBeforeOpen)}, want 1002 "Cannot connect to server"`);
        }
      }));

    it(`/disabled_websocket_echo ${origin}`, { timeout: 60_000 }, (t) =>
      serviceTest(t, env.browsers[name], '/disabled_websocket_echo', origin, async (p, problems) => {
        const url = `${A.origin}/disabled_websocket_echo`;
        const obs = await scenario(p.page, 'echo', { url, transport: null, messages: SMALL, ...cases.TIMING });
        echoes(problems, obs, 'client\'s choice');
        if (obs.opened && obs.transport !== 'xhr-streaming') {
          problems.push(`client chose ${obs.transport}, want xhr-streaming (the next after websocket)`);
        }
        if (obs.enabled && obs.enabled.includes('websocket')) {
          problems.push('the client still considered websocket: /info did not say websocket:false');
        }
        const ws = await scenario(p.page, 'echo', { url, transport: 'websocket', messages: SMALL, ...cases.TIMING });
        if (!cases.refused(ws)) {
          problems.push(`forced websocket: the client did not refuse it (opened ${ws.opened}, tried ${JSON.stringify(ws.enabled)})`);
        }
      }));

    it(`/cookie_needed_echo ${origin}`, { timeout: 60_000 }, (t) =>
      serviceTest(t, env.browsers[name], '/cookie_needed_echo', origin, async (p, problems) => {
        const url = `${A.origin}/cookie_needed_echo`;
        // An HTTP transport: websocket handshakes never set the cookie.
        const obs = await scenario(p.page, 'echo', { url, transport: 'xhr-streaming', messages: SMALL, ...cases.TIMING });
        echoes(problems, obs, 'xhr-streaming');
        const cookies = await p.context.cookies(A.origin);
        const jsession = cookies.filter((c) => c.name === 'JSESSIONID');
        if (jsession.length !== 1 || jsession[0].value !== 'dummy' || jsession[0].path !== '/') {
          problems.push(`browser cookies for ${A.origin}: ${JSON.stringify(cookies.map((c) => `${c.name}=${c.value}; path=${c.path}`))}, want JSESSIONID=dummy; path=/`);
        }
      }));
  }
});
