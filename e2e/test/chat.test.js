'use strict';
// The chat example (examples/chat) in Chromium: two pages of the chat talk
// to each other, with the transport the client picks and with one page
// forced to xhr-polling; GET /stats follows the sessions. Then SIGTERM: the
// chat closes its sessions (1001), answers the request still running and
// only then exits.

const { describe, it } = require('node:test');
const net = require('node:net');
const assert = require('node:assert/strict');
const SockJS = require('sockjs-client');
const e2e = require('../pages/scenario.js');
const { Fixture, sleep, within } = require('../lib/servers');
const { browserSuite, pageLog } = require('../lib/browser');
const cases = require('../lib/cases');

const fx = new Fixture('chat');
let S; // serves sockjs.min.js (under /static/)
let chat;

const env = browserSuite(fx, async () => {
  S = await fx.testServer('static');
  chat = await fx.chatServer('chat', `${S.origin}/static/sockjs.min.js`);
});

async function sessions() {
  const res = await fetch(`${chat.origin}/stats`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['sessions']);
  return body.sessions;
}

// waitSessions polls /stats until it reports n sessions, for at most ms.
async function waitSessions(n, ms) {
  const deadline = Date.now() + ms;
  let got;
  while ((got = await sessions()) !== n && Date.now() < deadline) {
    await sleep(100);
  }
  assert.equal(got, n, `GET /stats: ${got} sessions after ${ms} ms, want ${n}`);
}

// openChat opens the chat page in its own browser context and waits until it
// has joined. It returns the page, its name in the chat and its transport.
async function openChat(query = '') {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const log = pageLog(page);
  await page.goto(`${chat.origin}/${query}`, { timeout: 15_000 });
  await page.waitForSelector('body[data-name]', { timeout: 15_000 });
  const { name, transport } = await page.evaluate(() => ({ ...document.body.dataset }));
  await page.waitForSelector('#input:not([disabled])', { timeout: 5000 });
  return { context, page, name, transport, log };
}

async function say(from, text) {
  await from.page.fill('#input', text);
  await from.page.press('#input', 'Enter');
}

// heard waits until page shows a message from name with exactly text.
async function heard(to, from, text) {
  const item = to.page.locator('#messages li.message').filter({
    has: to.page.locator('.name', { hasText: from.name }),
  }).filter({ hasText: text });
  await item.first().waitFor({ state: 'visible', timeout: 10_000 });
  const shown = await item.first().evaluate((li) => li.lastChild.textContent);
  assert.equal(shown, text);
}

async function conversation(t, label, query1, want1, leaveMs) {
  const started = Date.now();
  const row = { env: 'chat', origin: 'same-origin', transport: label };
  const pages = [];
  try {
    await waitSessions(0, 5000);
    const one = await openChat(query1);
    pages.push(one);
    const two = await openChat();
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
    await two.page.locator('#messages li.notice', { hasText: `${one.name} left` }).waitFor({ timeout: leaveMs });
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

describe('chat example', () => {
  it('two pages, transport chosen by the client (websocket)', { timeout: 60_000 }, async (t) => {
    await conversation(t, 'websocket ↔ websocket', '', 'websocket', cases.leaveBoundMs('websocket'));
  });

  it('one page forced to xhr-polling', { timeout: 60_000 }, async (t) => {
    await conversation(t, 'xhr-polling ↔ websocket', '?transports=xhr-polling', 'xhr-polling', cases.leaveBoundMs('xhr-polling'));
  });

  it('SIGTERM closes every session with 1001 and exits', { timeout: 60_000 }, async (t) => {
    const started = Date.now();
    const row = { env: 'chat', origin: 'same-origin', transport: 'SIGTERM' };
    try {
      const victim = await fx.chatServer('chat-sigterm', `${S.origin}/static/sockjs.min.js`);
      // Node.js clients, so that no page reconnects or retries.
      const clients = ['websocket', 'xhr-streaming', 'xhr-polling'].map((transport) =>
        e2e.waitForClose(SockJS, { url: `${victim.origin}/chat`, transport, ...cases.TIMING }));
      await Promise.all(clients.map((c) => c.opened));
      const n = await (await fetch(`${victim.origin}/stats`)).json();
      assert.deepEqual(n, { sessions: 3 });
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
      const closes = await Promise.all(clients.map((c) => c.closed));
      for (const [i, c] of closes.entries()) {
        assert.deepEqual(c, { code: 1001, reason: 'Server shutting down', wasClean: true }, `client ${i}`);
      }
      // The sessions are closed: the HTTP shutdown is under way now.
      await sleep(300);
      slow.write(body.slice(2));
      const exit = await within(victim.exited, 10_000);
      slow.destroy();
      assert.match(reply, /^HTTP\/1\.1 \d{3} /, 'the request in flight at SIGTERM was answered before the exit');
      assert.deepEqual(exit, { code: 0, signal: null }, 'exit of the chat process');
      cases.record({ ...row, status: 'pass', detail: '', ms: Date.now() - started });
    } catch (err) {
      cases.record({ ...row, status: 'fail', detail: err.message.split('\n')[0], ms: Date.now() - started });
      throw err;
    }
    t.diagnostic(`${Date.now() - started} ms`);
  });
});
