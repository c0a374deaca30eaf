'use strict';
// What the scenarios send and how their observations are judged, shared by
// the browser (Chromium, Firefox) and the Node.js tests.

const fs = require('node:fs');
const path = require('node:path');
const { LOG_DIR } = require('./servers');

// Every transport name sockjs-client 1.6.1 knows, in the order it tries them.
const TRANSPORTS = [
  'websocket',
  'xhr-streaming',
  'xdr-streaming',
  'eventsource',
  'iframe-eventsource',
  'htmlfile',
  'iframe-htmlfile',
  'xhr-polling',
  'xdr-polling',
  'iframe-xhr-polling',
  'jsonp-polling',
];

// Where the client is expected to refuse a transport, and why. A refusal
// anywhere else is a failure: the client decides partly from the server's
// /info answer.
const CLIENT_REFUSES = {
  chromium: {
    'xdr-streaming': 'needs XDomainRequest (IE 8-9 only)',
    'xdr-polling': 'needs XDomainRequest (IE 8-9 only)',
    'htmlfile@cross-origin': 'the client enables htmlfile only for a same-origin server (iframe-htmlfile is the cross-origin variant)',
  },
  firefox: {
    'xdr-streaming': 'needs XDomainRequest (IE 8-9 only)',
    'xdr-polling': 'needs XDomainRequest (IE 8-9 only)',
    'htmlfile@cross-origin': 'the client enables htmlfile only for a same-origin server (iframe-htmlfile is the cross-origin variant)',
  },
  node: {
    'xdr-streaming': 'needs XDomainRequest (IE 8-9 only)',
    'xdr-polling': 'needs XDomainRequest (IE 8-9 only)',
    'iframe-eventsource': 'iframe transports need a DOM',
    'htmlfile': 'needs a DOM (iframe)',
    'iframe-htmlfile': 'iframe transports need a DOM',
    'iframe-xhr-polling': 'iframe transports need a DOM',
    'jsonp-polling': 'needs a DOM (script tags)',
  },
};

// Where the client offers a transport and it fails for a known reason
// outside this library, with the page-log line that identifies it. Such a
// cell is reported as "fails (known)", never as a pass; it is judged as
// usual if the transport opens, and it counts as a failure if it fails any
// other way.
const KNOWN_FAILURES = {
  firefox: {
    'htmlfile@same-origin': {
      signature: 'Permission denied to access property "_jp"',
      reason: 'the htmlfile document of the protocol (docs/protocol.md#htmlfile-prelude, checked byte for byte by ' +
        'the sockjs-protocol suite) runs "document.domain = document.domain" before it calls parent._jp; ' +
        'Firefox still honours that setter, which makes the iframe cross-origin to a page that did not set ' +
        'document.domain itself (Chromium ignores the setter). With the page setting document.domain, or ' +
        'sending Origin-Agent-Cluster: ?1, it works; the same header on the htmlfile response does not ' +
        '(the page decides its origin\'s agent cluster). sockjs-node sends the same document.',
    },
  },
};

function knownFailure(env, transport, origin) {
  const table = KNOWN_FAILURES[env] || {};
  return table[`${transport}@${origin}`] || table[transport] || null;
}

function expectedRefusal(env, transport, origin) {
  const table = CLIENT_REFUSES[env];
  return table[`${transport}@${origin}`] || table[transport] || null;
}

// A string of n printable ASCII characters, quotes, backslashes and angle
// brackets included, so that a large frame also exercises escaping.
function bigString(n) {
  let s = '';
  for (let i = 0; s.length < n; i++) {
    s += String.fromCharCode(32 + ((i * 7) % 95));
  }
  return s;
}

const MESSAGES = [
  'hello, world',
  bigString(100 * 1024),
  'żółć 😀 𝄞',
  '\u2028\u2029',
  '"double" \'single\' `back`',
  'back\\slash \\\\ \\u0041 \\n \\',
  '</script><script>throw 1</script><!--',
  '%41 %25 %%41 %',
  '\r\n\t \u0001\u001f\u007f\u0080\u00ff',
  '\ufeff\ufffd\uffff',
  '[\"json\", {\"looking\": 1}]',
  ...Array.from({ length: 50 }, (_, i) => `msg-${i}`),
];

// describe shortens a string for a failure message.
function describe(s) {
  if (typeof s !== 'string') {
    return JSON.stringify(s);
  }
  const head = JSON.stringify(s.slice(0, 40));
  return s.length > 40 ? `${head}… (${s.length} chars)` : head;
}

// firstDifference reports the first message that differs, or null.
function firstDifference(expected, got) {
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    if (expected[i] !== got[i]) {
      let where = '';
      if (typeof expected[i] === 'string' && typeof got[i] === 'string') {
        let j = 0;
        while (j < expected[i].length && expected[i][j] === got[i][j]) j++;
        where = ` (first difference at char ${j})`;
      }
      return `message #${i}: expected ${describe(expected[i])}, got ${describe(got[i])}${where}; ` +
        `${got.length}/${expected.length} messages received`;
    }
  }
  return null;
}

function closeText(c) {
  return c ? `${c.code} ${JSON.stringify(c.reason)}` : 'no close event';
}

// refusal tells whether the client refused the transport: it got /info but
// had nothing to try.
function refused(obs) {
  return Array.isArray(obs.enabled) && obs.enabled.length === 0;
}

function checkOpen(problems, step, obs, transport) {
  if (!obs.opened) {
    const why = obs.enabled === null ? 'the client never got a usable /info answer' : `tried ${JSON.stringify(obs.enabled)}`;
    const timeout = obs.clientTimeout
      ? `; the client gave up waiting for "o" after ${obs.clientTimeout.afterMs} ms (RTO ${obs.clientTimeout.rtoMs} ms)`
      : '';
    problems.push(`${step}: did not open (${why}${timeout}; close ${closeText(obs.closeBeforeOpen || obs.closeBeforeWelcome || obs.close)})`);
    return false;
  }
  if (obs.transport !== transport) {
    problems.push(`${step}: sock.transport is ${JSON.stringify(obs.transport)}, want ${JSON.stringify(transport)}`);
  }
  return true;
}

function judgeEcho(problems, obs, transport) {
  if (!checkOpen(problems, 'echo', obs, transport)) return;
  if (obs.sendError) problems.push(`echo: send threw ${obs.sendError}`);
  if (obs.closedByServer) problems.push(`echo: closed while echoing: ${closeText(obs.closedByServer)}`);
  const diff = firstDifference(MESSAGES, obs.received);
  if (diff) problems.push(`echo: ${diff}${obs.allEchoed ? '' : ' (timed out)'}`);
  if (!obs.close || obs.close.code !== 1000) problems.push(`echo: client close gave ${closeText(obs.close)}, want 1000`);
  if (obs.afterClose) problems.push(`echo: ${obs.afterClose} messages after close`);
}

function judgeServerClose(problems, obs, transport) {
  if (!checkOpen(problems, 'server close', obs, transport)) return;
  if (!obs.close || obs.close.code !== 3000 || obs.close.reason !== 'Go away!') {
    problems.push(`server close: got ${closeText(obs.close)}, want 3000 "Go away!"`);
  }
  if (obs.received.length) problems.push(`server close: unexpected messages ${JSON.stringify(obs.received)}`);
}

function judgeClientClose(problems, obs, transport) {
  if (obs.error) {
    problems.push(`client close: ${obs.error}`);
    return;
  }
  if (!checkOpen(problems, 'client close (chat)', obs, transport)) return;
  if (!obs.name) {
    problems.push(`client close (chat): no welcome (close ${closeText(obs.closeBeforeWelcome)})`);
    return;
  }
  if (!obs.joinSeen) problems.push('client close (chat): the observer did not see the join');
  if (!obs.messageSeen) problems.push('client close (chat): the observer did not get the message');
  if (!obs.close || obs.close.code !== 1000) problems.push(`client close (chat): close event ${closeText(obs.close)}, want 1000`);
  const bound = leaveBoundMs(transport);
  if (!obs.leaveSeen) {
    problems.push(`client close (chat): the server did not end the session within ${obs.leaveMs} ms of close()`);
  } else if (obs.leaveMs > bound) {
    problems.push(`client close (chat): the server ended the session ${obs.leaveMs} ms after close(), want <= ${bound} ms`);
  }
  if (obs.observerClose) problems.push(`client close (chat): observer closed: ${closeText(obs.observerClose)}`);
}

// Bounds of the scenario steps. sockjs-client's own budget for the open
// frame is RTO x round trips, about 0.6-1.2 s on loopback. On a busy 2-core
// machine a fresh renderer process and a cold script cache for an iframe
// transport can take longer than that, which says nothing about the server,
// so the tests give the client 10 s (its `timeout` option) and report open
// times instead.
const TIMING = { timeoutMs: 20_000, openTimeoutMs: 10_000 };

// How soon after the client's close() the server must have ended the session
// (the chat observer sees the leave). The chat runs with the library's
// default heartbeat (25 s) and disconnect delay (5 s).
function leaveBoundMs(transport) {
  switch (transport) {
    case 'jsonp-polling':
      // Browsers do not abort a script load when the client removes its
      // <script>: the pending poll ends at the next heartbeat, and the
      // session then waits out the disconnect delay.
      return 25_000 + 5_000 + 5_000;
    case 'xhr-polling':
    case 'iframe-xhr-polling':
    case 'xdr-polling':
      // The close usually aborts the pending poll (the session ends at
      // once), but it may fall between two polls, when the server must
      // wait out the disconnect delay.
      return 5_000 + 5_000;
    default:
      // A websocket close or an aborted streaming request: the server must
      // end the session at once (docs/protocol.md#detach-and-abort), so well before the 5 s
      // disconnect delay, which would mean the abort went unnoticed.
      // (Chromium may drain an abandoned keep-alive response for up to 5 s
      // before it closes the socket; streaming responses say
      // "Connection: close" so that it drops them at once. A run that
      // failed here at 5017 ms for iframe-htmlfile found that.)
      return 4_000;
  }
}

const RESULTS_FILE = process.env.E2E_RESULTS || path.join(LOG_DIR, 'results.jsonl');

// record appends one cell of the results table (see report.js).
function record(row) {
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.appendFileSync(RESULTS_FILE, JSON.stringify(row) + '\n');
}

module.exports = {
  TRANSPORTS,
  MESSAGES,
  TIMING,
  expectedRefusal,
  knownFailure,
  refused,
  judgeEcho,
  judgeServerClose,
  judgeClientClose,
  leaveBoundMs,
  record,
  RESULTS_FILE,
};
