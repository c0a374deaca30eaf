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

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Fixture, PAGES_DIR } = require('../lib/servers');
const { browserSuite, pageLog } = require('../lib/browser');
const cases = require('../lib/cases');

const fx = new Fixture('browser');
let A; // SockJS test services and static pages
let B; // another origin serving the same static pages
let C; // chat example, allowing B's origin

const env = browserSuite(fx, async () => {
  [A, B] = await Promise.all([fx.testServer('A'), fx.testServer('B')]);
  C = await fx.chatServer('C', `${A.origin}/static/sockjs.min.js`, [B.origin]);
});

// pageAt opens a test page of origin in a fresh browser context. The chat
// server serves no test page, so on its origin the test opens the chat's own
// page (which joins the chat itself, harmlessly) and adds scenario.js to it:
// a page that is same-origin with the chat's SockJS service.
async function pageAt(origin) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const lines = pageLog(page);
  if (origin === C.origin) {
    await page.goto(`${origin}/`, { timeout: 15_000 });
    await page.addScriptTag({ path: path.join(PAGES_DIR, 'scenario.js') });
  } else {
    await page.goto(`${origin}/static/index.html`, { timeout: 15_000 });
  }
  return { context, page, lines };
}

function scenario(page, name, options) {
  return page.evaluate(([n, o]) => window.e2e[n](window.SockJS, o), [name, options]);
}

// Every transport in both origin setups, the slowest (jsonp-polling, see
// cases.leaveBoundMs) first, a few at a time.
const MATRIX = [];
for (const transport of ['jsonp-polling', ...cases.TRANSPORTS.filter((t) => t !== 'jsonp-polling')]) {
  for (const origin of ['same-origin', 'cross-origin']) {
    MATRIX.push({ transport, origin });
  }
}

describe('chromium', { concurrency: 3 }, () => {
  for (const { transport, origin } of MATRIX) {
    it(`${transport} ${origin}`, { timeout: 120_000 }, async (t) => {
      const started = Date.now();
      const row = { env: 'chromium', origin, transport };
      const expectNA = cases.expectedRefusal('chromium', transport, origin);
      const problems = [];
      const logs = [];
      const opened = [];
      try {
        const pageOrigin = origin === 'same-origin' ? A.origin : B.origin;
        const p1 = await pageAt(pageOrigin);
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
        } else {
          if (expectNA) t.diagnostic(`note: expected the client to refuse ${transport}, but it offered it`);
          cases.judgeEcho(problems, echo, transport);
          const closed = await scenario(p1.page, 'serverClose', { url: `${A.origin}/close`, transport, ...cases.TIMING });
          cases.judgeServerClose(problems, closed, transport);

          // The client-close check needs the chat server: same-origin
          // means a page on the chat's origin.
          const p2 = await pageAt(origin === 'same-origin' ? C.origin : B.origin);
          opened.push(p2);
          const cc = await scenario(p2.page, 'clientClose', {
            url: `${C.origin}/chat`, transport, ...cases.TIMING,
            leaveTimeoutMs: cases.leaveBoundMs(transport) + 1000, settleMs: 300,
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

// The other test services, with the transport the client chooses: the
// default origin policy, /info's websocket:false and the JSESSIONID cookie.
const SMALL = ['hello', 'żółć 😀 𝄞', '</script>'];

async function serviceTest(t, service, origin, check) {
  const row = { env: 'service', origin, transport: service };
  const started = Date.now();
  const problems = [];
  let p;
  try {
    p = await pageAt(origin === 'same-origin' ? A.origin : B.origin);
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
  assert.deepEqual(problems, [], `${service} ${origin}`);
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

describe('chromium services', { concurrency: 3 }, () => {
  for (const origin of ['same-origin', 'cross-origin']) {
    it(`/default_echo (zero Options: same origin only) ${origin}`, { timeout: 60_000 }, (t) =>
      serviceTest(t, '/default_echo', origin, async (p, problems) => {
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
      serviceTest(t, '/disabled_websocket_echo', origin, async (p, problems) => {
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
      serviceTest(t, '/cookie_needed_echo', origin, async (p, problems) => {
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
