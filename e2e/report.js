'use strict';
// Turns the rows the tests recorded (test-results/results.jsonl) into the
// results table: transport x origin setup x client. Prints it, writes it to
// results.md, and exits non-zero on any failure or missing cell.
//
//   node report.js [results.jsonl] [results.md]

const fs = require('node:fs');
const path = require('node:path');
const { TRANSPORTS } = require('./lib/cases');

const input = process.argv[2] || process.env.E2E_RESULTS || path.join(__dirname, 'test-results', 'results.jsonl');
const output = process.argv[3] || path.join(__dirname, 'results.md');

const rows = fs.existsSync(input)
  ? fs.readFileSync(input, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  : [];
const cell = new Map(rows.map((r) => [`${r.env}|${r.origin}|${r.transport}`, r]));

const COLUMNS = [
  { env: 'chromium', origin: 'same-origin', title: 'Chromium, same-origin' },
  { env: 'chromium', origin: 'cross-origin', title: 'Chromium, cross-origin' },
  { env: 'node', origin: 'none', title: 'Node.js (origin n/a)' },
];
const SERVICES = [
  ['/default_echo', 'zero Options, so only a same-origin page may connect'],
  ['/disabled_websocket_echo', 'the client avoids websocket and picks xhr-streaming'],
  ['/cookie_needed_echo', 'JSESSIONID=dummy is stored by the browser (credentialed CORS across origins)'],
];
const CHAT = ['websocket ↔ websocket', 'xhr-polling ↔ websocket', 'SIGTERM'];

let passed = 0;
let failed = 0;
let na = 0;
const notes = [];
const noteIndex = new Map();

function note(text) {
  if (!noteIndex.has(text)) {
    notes.push(text);
    noteIndex.set(text, notes.length);
  }
  return noteIndex.get(text);
}

function show(r, what) {
  if (!r) {
    failed++;
    return `**MISSING** [${note(`${what}: no result recorded (the test did not run to the end)`)}]`;
  }
  switch (r.status) {
    case 'pass':
      passed++;
      return 'pass';
    case 'n/a':
      na++;
      return `n/a (client) [${note(r.detail)}]`;
    default:
      failed++;
      return `**FAIL** [${note(`${what}: ${r.detail.replace(/\n/g, '; ')}`)}]`;
  }
}

const lines = [];
lines.push('# SockJS end-to-end results');
lines.push('');
lines.push('Real clients against the Go server (`e2e/run.sh`): sockjs-client 1.6.1 in Chromium and in Node.js. ' +
  'Each cell covers: the forced transport opens and `sock.transport` names it; a batch of messages ' +
  '(ASCII, 100 KB, non-ASCII and astral characters, U+2028/U+2029, quotes, backslashes, `</script>`, `%41`, ' +
  'control characters, 50 numbered messages) sent back-to-back comes back from /echo intact and in order; ' +
  '/close closes with 3000 "Go away!"; a client close() ends the session on the server in time (chat example).');
lines.push('');
lines.push(`| Transport | ${COLUMNS.map((c) => c.title).join(' | ')} |`);
lines.push(`|---|${COLUMNS.map(() => '---').join('|')}|`);
for (const t of TRANSPORTS) {
  const cells = COLUMNS.map((c) => show(cell.get(`${c.env}|${c.origin}|${t}`), `${t}, ${c.title}`));
  lines.push(`| ${t} | ${cells.join(' | ')} |`);
}
lines.push('');
lines.push('| Test service (Chromium, client\'s choice of transport) | Same-origin | Cross-origin |');
lines.push('|---|---|---|');
for (const [svc, what] of SERVICES) {
  const cells = ['same-origin', 'cross-origin'].map((o) => show(cell.get(`service|${o}|${svc}`), `${svc} ${o}`));
  lines.push(`| ${svc}: ${what} | ${cells.join(' | ')} |`);
}
lines.push('');
lines.push('| Chat example (two Chromium pages, same-origin; SIGTERM with Node.js clients) | Result |');
lines.push('|---|---|');
for (const t of CHAT) {
  lines.push(`| ${t} | ${show(cell.get(`chat|same-origin|${t}`), `chat ${t}`)} |`);
}
if (notes.length) {
  lines.push('');
  notes.forEach((n, i) => lines.push(`${i + 1}. ${n}`));
}
lines.push('');

const table = lines.join('\n');
fs.writeFileSync(output, table);
process.stdout.write(table + '\n');
console.log(`e2e: ${passed} passed, ${failed} failed, ${na} skipped`);
process.exitCode = failed ? 1 : 0;
