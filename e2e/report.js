'use strict';
// Turns the rows the tests recorded (test-results/results.jsonl) into the
// results table: transport x origin setup x client. Prints it, writes it to
// results.md, and exits non-zero on any failure or missing cell.
//
//   node report.js [results.jsonl] [results.md]

const fs = require('node:fs');
const path = require('node:path');
const { TRANSPORTS } = require('./lib/cases');
const { BROWSERS: BROWSER_INFO, browserNames } = require('./lib/browser');

const input = process.argv[2] || process.env.E2E_RESULTS || path.join(__dirname, 'test-results', 'results.jsonl');
const output = process.argv[3] || path.join(__dirname, 'results.md');

const rows = fs.existsSync(input)
  ? fs.readFileSync(input, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  : [];
const cell = new Map(rows.map((r) => [`${r.env}|${r.origin}|${r.transport}`, r]));

const BROWSERS = browserNames().map((name) => ({ name, title: BROWSER_INFO[name].title }));
const COLUMNS = [
  ...BROWSERS.flatMap((b) => [
    { env: b.name, origin: 'same-origin', title: `${b.title}, same-origin` },
    { env: b.name, origin: 'cross-origin', title: `${b.title}, cross-origin` },
  ]),
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
let known = 0;
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
    case 'known':
      known++;
      return `**fails (known)** [${note(r.detail)}]`;
    default:
      failed++;
      return `**FAIL** [${note(`${what}: ${r.detail.replace(/\n/g, '; ')}`)}]`;
  }
}

const lines = [];
lines.push('# SockJS end-to-end results');
lines.push('');
const titles = BROWSERS.map((b) => b.title).join(' and ');
lines.push(`Real clients against the Go server (\`e2e/run.sh\`): sockjs-client 1.6.1 in ${titles} and in Node.js. ` +
  'Each cell covers: the forced transport opens and `sock.transport` names it; a batch of messages ' +
  '(ASCII, 100 KB, non-ASCII and astral characters, U+2028/U+2029, quotes, backslashes, `</script>`, `%41`, ' +
  'control characters, 50 numbered messages) sent back-to-back comes back from /echo intact and in order; ' +
  '/close closes with 3000 "Go away!"; a client close() ends the session on the server in time (chat example); ' +
  'in a browser, so do closing the page that holds a chat session and navigating it away (bounds in `lib/cases.js`).');
lines.push('');
lines.push(`| Transport | ${COLUMNS.map((c) => c.title).join(' | ')} |`);
lines.push(`|---|${COLUMNS.map(() => '---').join('|')}|`);
for (const t of TRANSPORTS) {
  const cells = COLUMNS.map((c) => show(cell.get(`${c.env}|${c.origin}|${t}`), `${t}, ${c.title}`));
  lines.push(`| ${t} | ${cells.join(' | ')} |`);
}
lines.push('');
const svcCols = BROWSERS.flatMap((b) => ['same-origin', 'cross-origin'].map((o) => ({ b, o })));
lines.push(`| Test service (client's choice of transport) | ${svcCols.map(({ b, o }) => `${b.title}, ${o}`).join(' | ')} |`);
lines.push(`|---|${svcCols.map(() => '---').join('|')}|`);
for (const [svc, what] of SERVICES) {
  const cells = svcCols.map(({ b, o }) => show(cell.get(`service:${b.name}|${o}|${svc}`), `${svc}, ${b.title}, ${o}`));
  lines.push(`| ${svc}: ${what} | ${cells.join(' | ')} |`);
}
lines.push('');
lines.push(`| Chat example (two pages, same-origin; SIGTERM with a page on every transport) | ${BROWSERS.map((b) => b.title).join(' | ')} |`);
lines.push(`|---|${BROWSERS.map(() => '---').join('|')}|`);
for (const t of CHAT) {
  const cells = BROWSERS.map((b) => show(cell.get(`chat:${b.name}|same-origin|${t}`), `chat ${t}, ${b.title}`));
  lines.push(`| ${t} | ${cells.join(' | ')} |`);
}
if (notes.length) {
  lines.push('');
  notes.forEach((n, i) => lines.push(`${i + 1}. ${n}`));
}
lines.push('');

const table = lines.join('\n');
fs.writeFileSync(output, table);
process.stdout.write(table + '\n');
console.log(`e2e: ${passed} passed, ${failed} failed, ${known} known failures, ${na} skipped`);
process.exitCode = failed ? 1 : 0;
