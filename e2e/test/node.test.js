'use strict';
// sockjs-client 1.6.1 in Node.js (its own websocket, XHR and EventSource
// drivers) against the Go server: the same scenarios as in the browsers
// (pages/scenario.js). Node.js has no page origin, so the same-origin /
// cross-origin distinction does not apply: its requests carry no Origin.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const SockJS = require('sockjs-client');
const e2e = require('../pages/scenario.js');
const { Fixture } = require('../lib/servers');
const cases = require('../lib/cases');


const fx = new Fixture('node');
let A; // SockJS test services
let C; // chat example

before(async () => {
  try {
    await fx.init();
    A = await fx.testServer('A');
    C = await fx.chatServer('C', `${A.origin}/static/sockjs.min.js`);
  } catch (err) {
    await fx.close();
    throw err;
  }
}, { timeout: 240_000 });

after(async () => {
  await fx.close();
}, { timeout: 60_000 });

describe('node', { concurrency: 4 }, () => {
  for (const transport of cases.TRANSPORTS) {
    it(transport, { timeout: 120_000 }, async (t) => {
      const started = Date.now();
      const row = { env: 'node', origin: 'none', transport };
      const expectNA = cases.expectedRefusal('node', transport, 'none');
      const problems = [];
      try {
        const echo = await e2e.echo(SockJS, {
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
          const closed = await e2e.serverClose(SockJS, { url: `${A.origin}/close`, transport, ...cases.TIMING });
          cases.judgeServerClose(problems, closed, transport);
          const cc = await e2e.clientClose(SockJS, {
            url: `${C.origin}/chat`, transport, ...cases.TIMING,
            leaveTimeoutMs: cases.leaveBoundMs(transport) + 1000, settleMs: 300,
          });
          cases.judgeClientClose(problems, cc, transport);
          if (cc.leaveSeen) t.diagnostic(`session ended ${cc.leaveMs} ms after close()`);
          t.diagnostic(`open ${echo.openMs} ms, echo ${echo.echoMs} ms`);
        }
      } catch (err) {
        problems.push(`error: ${err.message.split('\n')[0]}`);
      }
      cases.record({ ...row, status: problems.length ? 'fail' : 'pass', detail: problems.join('\n'), ms: Date.now() - started });
      assert.deepEqual(problems, [], transport);
    });
  }
});
