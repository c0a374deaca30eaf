'use strict';
// The chat example (examples/chat) in each browser (lib/browser.js): two
// pages of the chat talk to each other, with the transport the client picks
// and with one page forced to xhr-polling; GET /stats follows the sessions.
// Then SIGTERM: with a client on every transport the client offers in that
// browser (each beside a chat page), the chat closes every session with
// 1001, answers the request still running and only then exits.

const { describe, it } = require('node:test');
const net = require('node:net');
const path = require('node:path');
const assert = require('node:assert/strict');
const { Fixture, PAGES_DIR, sleep, within } = require('../lib/servers');
const { browserSuite, browserNames } = require('../lib/browser');
const cases = require('../lib/cases');

const fx = new Fixture('chat');
let S; // serves sockjs.min.js (under /static/)
let chat;

const env = browserSuite(fx, async () => {
  S = await fx.testServer('static');
  chat = await fx.chatServer('chat', `${S.origin}/static/sockjs.min.js`);
});

async function sessions(server = chat) {
  const res = await fetch(`${server.origin}/stats`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['sessions']);
  return body.sessions;
}

// waitSessions polls /stats until it reports n sessions, for at most ms.
async function waitSessions(n, ms, server = chat) {
  const deadline = Date.now() + ms;
  let got;
  while ((got = await sessions(server)) !== n && Date.now() < deadline) {
    await sleep(100);
  }
  assert.equal(got, n, `GET /stats: ${got} sessions after ${ms} ms, want ${n}`);
}

// openChat opens the chat page in its own browser context and waits until it
// has joined. It returns the page, its name in the chat and its transport.
async function openChat(browser, query = '', server = chat) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${server.origin}/${query}`);
    await page.waitForSelector('body[data-name]', 15_000);
    const { name, transport } = await page.evaluate(() => ({ ...document.body.dataset }));
    await page.waitForSelector('#input:not([disabled])', 5000);
    return { context, page, name, transport, log: page.lines };
  } catch (err) {
    await context.close().catch(() => {});
    throw err;
  }
}

async function say(from, text) {
  await from.page.fill('#input', text);
  await from.page.press('#input', 'Enter');
}

// heard waits until page shows a message from name with exactly text.
async function heard(to, from, text) {
  await to.page.waitForFunction(([name, t]) => Array.from(document.querySelectorAll('#messages li.message')).some((li) =>
    li.querySelector('.name') && li.querySelector('.name').textContent === name && li.lastChild.textContent === t),
  [from.name, text], 10_000);
}

async function conversation(t, browser, label, query1, want1, leaveMs) {
  const started = Date.now();
  const row = { env: `chat:${browser.name}`, origin: 'same-origin', transport: label };
  const pages = [];
  try {
    await waitSessions(0, 5000);
    const one = await openChat(browser, query1);
    pages.push(one);
    const two = await openChat(browser);
    pages.push(two);
    assert.equal(one.transport, want1, 'transport of page one');
    assert.equal(two.transport, 'websocket', 'transport of page two');
    assert.notEqual(one.name, two.name);
    await waitSessions(2, 2000);

    await say(one, 'hello from one: żółć 😀 </script>');
    await heard(two, one, 'hello from one: żółć 😀 </script>');
    await say(two, 'hi back from two "quoted" \\ %41');
    await heard(one, two, 'hi back from two "quoted" \\ %41');
    await heard(two, two, 'hi back from two "quoted" \\ %41'); // everyone gets every message

    // One leaves: the other is told, and the server forgets the session.
    await one.context.close();
    pages.shift();
    await two.page.waitForFunction((n) => Array.from(document.querySelectorAll('#messages li.notice'))
      .some((li) => li.textContent.includes(`${n} left`)), one.name, leaveMs);
    await waitSessions(1, 2000);
    await two.context.close();
    pages.shift();
    await waitSessions(0, 5000);
    cases.record({ ...row, status: 'pass', detail: '', ms: Date.now() - started });
  } catch (err) {
    const logs = pages.flatMap((p) => p.log);
    cases.record({ ...row, status: 'fail', detail: [err.message.split('\n')[0], ...logs.slice(0, 10)].join('\n'), ms: Date.now() - started });
    throw err;
  } finally {
    for (const p of pages) await p.context.close().catch(() => {});
  }
  t.diagnostic(`${Date.now() - started} ms`);
}

// sigtermPage opens the chat page of server (same-origin, so every
// transport the client offers is possible) and, from it, one more session
// over transport with the test scenario (pages/scenario.js), whose client
// gets a 10 s open timeout: the chat page's own client keeps sockjs-client's
// default patience, which a loaded 2-core machine can exhaust for an iframe
// transport. Both sessions must get 1001.
async function sigtermPage(browser, server, transport) {
  const p = await openChat(browser, '', server);
  try {
    await p.page.addScript(path.join(PAGES_DIR, 'scenario.js'));
    await p.page.evaluate(async (o) => {
      const c = window.e2e.waitForClose(window.SockJS, o);
      window.e2eClosed = null;
      c.closed.then((v) => { window.e2eClosed = v || { none: true }; });
      await c.opened;
    // timeoutMs: how long after its open the client waits for its close,
    // which comes only once every page is open and SIGTERM sent.
    }, { url: `${server.origin}/chat`, transport, ...cases.TIMING, timeoutMs: 90_000 });
    return p;
  } catch (err) {
    await p.context.close().catch(() => {});
    throw err;
  }
}

// sigterm opens a chat session on every transport the client offers in the
// browser, sends SIGTERM to the chat process and checks that each client
// gets 1001 "Server shutting down", that a request still arriving at
// SIGTERM is answered, and that the process exits with status 0.
async function sigterm(t, browser) {
  const started = Date.now();
  const row = { env: `chat:${browser.name}`, origin: 'same-origin', transport: 'SIGTERM' };
  const transports = cases.TRANSPORTS.filter((tr) => !cases.expectedRefusal(browser.name, tr, 'same-origin') &&
    !cases.knownFailure(browser.name, tr, 'same-origin'));
  const pages = [];
  try {
    const victim = await fx.chatServer(`chat-sigterm-${browser.name}`, `${S.origin}/static/sockjs.min.js`);
    // One context (so one connection pool) per page: streaming transports
    // hold a connection each. In Firefox the pages are tabs of one window,
    // all but the last in the background, where timers are clamped to 1 s:
    // a polling client there polls again only about a second after each
    // answer, and must still get its 1001 (the library's shutdown grace
    // once missed it). Three at a time: opening nine pages at once on 2
    // cores makes a slow start look like a failure.
    const opened = [];
    for (let i = 0; i < transports.length; i += 3) {
      opened.push(...await Promise.allSettled(transports.slice(i, i + 3).map((tr) => sigtermPage(browser, victim, tr))));
    }
    for (const o of opened) if (o.status === 'fulfilled') pages.push(o.value);
    for (const [i, o] of opened.entries()) {
      if (o.status === 'rejected') throw new Error(`${transports[i]}: did not open: ${o.reason.message.split('\n')[0]}`);
    }
    await waitSessions(2 * transports.length, 5000, victim);
    // A request still running at SIGTERM: an xhr_send whose body is on
    // its way. http.Server.Shutdown waits for it, and main must wait for
    // Shutdown, so it is answered before the process exits.
    const body = '["late"]';
    const slow = net.connect(victim.port, '127.0.0.1');
    let reply = '';
    slow.on('data', (d) => (reply += d));
    slow.on('error', () => {}); // a reset shows as an empty reply
    await new Promise((resolve, reject) => slow.once('connect', resolve).once('error', reject));
    slow.write(`POST /chat/000/late/xhr_send HTTP/1.1\r\nHost: 127.0.0.1:${victim.port}\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 2)}`);
    await sleep(100);
    process.kill(victim.pid, 'SIGTERM');
    const closes = await Promise.all(pages.map(async (p) => {
      try {
        await p.page.waitForFunction(() => window.e2eClosed !== null && document.body.dataset.closed !== undefined, undefined, 10_000);
      } catch {
        // reported below
      }
      return p.page.evaluate(() => ({ client: window.e2eClosed, page: document.getElementById('status').textContent }));
    }));
    const wrong = [];
    for (const [i, c] of closes.entries()) {
      const cl = c.client;
      if (!cl || cl.code !== 1001 || cl.reason !== 'Server shutting down') {
        wrong.push(`${transports[i]}: ${cl ? (cl.none ? 'no close' : `${cl.code} ${JSON.stringify(cl.reason)}`) : 'no close within 10 s'}`);
      }
      if (c.page !== 'disconnected (1001 Server shutting down)') wrong.push(`chat page (websocket) beside ${transports[i]}: ${c.page}`);
    }
    assert.deepEqual(wrong, [], 'every client gets 1001 "Server shutting down"');
    // The sessions are closed: the HTTP shutdown is under way now.
    await sleep(300);
    slow.write(body.slice(2));
    const exit = await within(victim.exited, 10_000);
    slow.destroy();
    assert.match(reply, /^HTTP\/1\.1 \d{3} /, 'the request in flight at SIGTERM was answered before the exit');
    assert.deepEqual(exit, { code: 0, signal: null }, 'exit of the chat process');
    cases.record({ ...row, status: 'pass', detail: `${transports.length} pages: ${transports.join(', ')}`, ms: Date.now() - started });
  } catch (err) {
    const logs = pages.flatMap((p) => p.log);
    cases.record({ ...row, status: 'fail', detail: [err.message.split('\n')[0], ...logs.slice(0, 10)].join('\n'), ms: Date.now() - started });
    throw err;
  } finally {
    for (const p of pages) await p.context.close().catch(() => {});
  }
  t.diagnostic(`${transports.length} pages (${transports.join(', ')}), ${Date.now() - started} ms`);
}

for (const name of browserNames()) {
  describe(`chat example (${name})`, () => {
    it('two pages, transport chosen by the client (websocket)', { timeout: 60_000 }, async (t) => {
      await conversation(t, env.browsers[name], 'websocket ↔ websocket', '', 'websocket', cases.leaveBoundMs('websocket'));
    });

    it('one page forced to xhr-polling', { timeout: 60_000 }, async (t) => {
      await conversation(t, env.browsers[name], 'xhr-polling ↔ websocket', '?transports=xhr-polling', 'xhr-polling', cases.leaveBoundMs('xhr-polling'));
    });

    it('SIGTERM closes every session with 1001 and exits', { timeout: 90_000 }, async (t) => {
      await sigterm(t, env.browsers[name]);
    });
  });
}
