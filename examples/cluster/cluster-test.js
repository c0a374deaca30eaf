'use strict';
// The client side of the cluster test (test.sh starts the cluster and runs
// this). Real sockjs-client 1.6.1 instances in Node.js connect through two
// HAProxy instances in front of the same three chat nodes: one sticky on
// the JSESSIONID cookie, one on the server segment of the URL. For each
// balancer, transport (websocket, xhr-streaming, xhr-polling) and node
// there is one client, placed on that node through the balancer's
// affinity key: 18 clients, and every combination on the node that dies;
// and three more, one per transport, that come to the cookie balancer with
// no cookie and are placed by it: 21 in all.
//
//   round A   every client sends ROUND numbered messages; every client must
//             receive every message exactly once, in order per sender.
//   round B   every client keeps sending; meanwhile one node is killed with
//             SIGKILL. Its clients must see their session close, reconnect
//             through the balancer (new SockJS, same affinity key) and land
//             on another node. The other clients must lose nothing and see
//             no close at all.
//   round C   every client sends again; every client, reconnected or not,
//             must receive all of it exactly once, in order.
//
// Every request and websocket handshake to a balancer carries the Origin
// header a browser on the balancer's chat page would send, so that the
// nodes' same-origin check is exercised through the balancer.
//
// Environment (set by test.sh): SOCKJS_CLIENT (path of the sockjs-client
// package), COOKIE_URL and PATH_URL (the two balancers), NODES
// ("n1=PORT=PID,n2=...") and VICTIM (the node to kill).

const http = require('node:http');
const SockJS = require(process.env.SOCKJS_CLIENT);

const COOKIE_URL = process.env.COOKIE_URL;
const PATH_URL = process.env.PATH_URL;
const NODES = process.env.NODES.split(',').map((s) => {
  const [name, port, pid] = s.split('=');
  return { name, port: Number(port), pid: Number(pid) };
});
const VICTIM = process.env.VICTIM || NODES[0].name;
const TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling'];
const ROUND = 30; // messages per client per round
const GAP_MS = 20; // between two sends of one client
const CONNECT_MS = 10_000; // for a session to open and be welcomed
const DELIVERY_MS = 20_000; // for a round to reach everybody
const RECONNECT_MS = 20_000; // for the victim's clients to be back
const TOTAL_MS = 100_000; // for everything

const t0 = Date.now();
const log = (...args) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const problems = [];
function problem(msg) {
  if (problems.length < 50) log('PROBLEM:', msg);
  problems.push(msg);
}

// until polls cond every 50 ms for at most ms; it reports whether cond held.
async function until(cond, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) {
    if (cond()) return true;
  }
  return cond();
}

// A cookie jar for sockjs-client's Node.js XHR driver, which has none: a
// browser would send JSESSIONID back on every request of the origin. The
// jar is per client, keyed by the client's server segment (unique for the
// cookie clients), and holds what the balancer set last.
const jar = new Map(); // server segment -> "JSESSIONID=value"
const sessionPath = /^\/chat\/([^/]+)\/[^/]+\/[a-z_]+/;

// Browser-like Origin headers. A page served by the balancer (the chat
// page) sends Origin: <the balancer's origin> with its XHRs and websocket
// handshakes, and the nodes' default same-origin check compares it with the
// Host header the balancer passes on: a balancer that drops the port from
// Host makes every such request a 403. sockjs-client's Node.js drivers send
// no Origin, so the test adds one to every request to a balancer (here for
// XHR, in options() for websockets).
const BALANCER_ORIGINS = new Set([COOKIE_URL, PATH_URL].map((u) => new URL(u).origin));
function balancerOrigin(options) {
  const origin = `http://${options.hostname || options.host}:${options.port}`;
  return BALANCER_ORIGINS.has(origin) ? origin : null;
}

const request = http.request;
http.request = function browserLikeRequest(options, callback) {
  if (!options || typeof options !== 'object' || options instanceof URL) return request.apply(this, arguments);
  const origin = balancerOrigin(options);
  const m = sessionPath.exec(options.path || '');
  const key = m && jar.has(m[1]) ? m[1] : null;
  if (!origin && !key) return request.apply(this, arguments);
  const headers = { ...options.headers };
  if (origin) headers.Origin = origin;
  if (key && jar.get(key)) headers.Cookie = jar.get(key);
  if (!key) return request.call(this, { ...options, headers }, callback);
  return request.call(this, { ...options, headers }, (res) => {
    for (const c of res.headers['set-cookie'] || []) {
      const pair = c.split(';')[0];
      if (pair.startsWith('JSESSIONID=')) jar.set(key, pair);
    }
    if (callback) callback(res);
  });
};

// infoStatus asks base's /chat/info with the given Origin header and
// returns the HTTP status.
function infoStatus(base, origin) {
  return new Promise((resolve, reject) => {
    const u = new URL(`${base}/chat/info`);
    const req = request({ hostname: u.hostname, port: u.port, path: u.pathname, headers: { Origin: origin }, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy(new Error('info timed out')));
    req.on('error', reject);
    req.end();
  });
}

// originChecks makes sure that, through each balancer, the nodes' origin
// check is on and sees the balancer's own origin as same-origin: a page on
// the balancer may use the service, a page elsewhere may not.
async function originChecks() {
  for (const base of [COOKIE_URL, PATH_URL]) {
    const own = new URL(base).origin;
    const mine = await infoStatus(base, own);
    const foreign = await infoStatus(base, 'http://elsewhere.example');
    if (mine !== 200) problem(`${base}/chat/info with Origin ${own} (the balancer's own): ${mine}, want 200`);
    if (foreign !== 403) problem(`${base}/chat/info with a foreign Origin: ${foreign}, want 403`);
  }
  log('origin check through both balancers: own origin 200, foreign origin 403');
}

// nodeOf asks a balancer which node serves /chat/<server>/... (an OPTIONS
// preflight: no session is created) and returns the X-Node header.
function nodeOf(base, server) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/chat/${server}/probe/xhr`, { method: 'OPTIONS', timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.headers['x-node']);
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
    req.end();
  });
}

// serverSegments finds, for every node, a server segment that the path
// balancer hashes to it.
async function serverSegments() {
  const found = new Map();
  for (let i = 100; i < 1000 && found.size < NODES.length; i++) {
    const node = await nodeOf(PATH_URL, String(i));
    if (node && !found.has(node)) found.set(node, String(i));
  }
  if (found.size < NODES.length) throw new Error(`server segments found for ${[...found.keys()]} only`);
  return found;
}

// Client is one sockjs-client user that reconnects when its session ends.
class Client {
  // node is where the affinity key should place it, or null; it becomes
  // the node of its first session.
  constructor(id, balancer, transport, node, server) {
    Object.assign(this, { id, balancer, transport, node, server, placed: node });
    this.base = balancer === 'cookie' ? COOKIE_URL : PATH_URL;
    this.sock = null;
    this.sessions = []; // {node, transport, openMs, closed: {code, reason, ms}}
    this.sent = []; // sequence numbers handed to an open socket
    this.got = new Map(); // sender id -> sequence numbers, in arrival order
    this.stopping = false;
    this.reconnects = 0;
  }

  options() {
    // The websocket driver (faye-websocket) takes its handshake headers
    // here: the Origin a browser would send, and the cookie.
    const headers = { Origin: new URL(this.base).origin };
    if (this.balancer === 'cookie' && jar.get(this.server)) headers.Cookie = jar.get(this.server);
    return { transports: [this.transport], server: this.server, transportOptions: { websocket: { headers } } };
  }

  // connect opens a session and resolves once the node welcomed it.
  connect() {
    return new Promise((resolve, reject) => {
      const sock = new SockJS(`${this.base}/chat`, null, this.options());
      const session = { node: null, transport: null, openMs: null, closed: null };
      const started = Date.now();
      const timer = setTimeout(() => {
        sock.close();
        reject(new Error(`${this.id}: no welcome within ${CONNECT_MS} ms`));
      }, CONNECT_MS);
      sock.onopen = () => {
        session.transport = sock.transport;
      };
      sock.onmessage = (e) => {
        const ev = JSON.parse(e.data);
        if (ev.type === 'welcome') {
          session.node = ev.node;
          session.openMs = Date.now() - started;
          this.sock = sock;
          this.sessions.push(session);
          clearTimeout(timer);
          resolve(session);
        } else if (ev.type === 'message') {
          this.receive(ev.text);
        } else if (ev.type === 'error') {
          problem(`${this.id}: node ${ev.node} says: ${ev.text}`);
        }
      };
      sock.onclose = (e) => {
        clearTimeout(timer);
        if (!session.node) {
          reject(new Error(`${this.id}: closed before the welcome: ${e.code} ${e.reason}`));
          return;
        }
        session.closed = { code: e.code, reason: e.reason, ms: Date.now() - t0 };
        if (this.sock === sock) this.sock = null;
        if (!this.stopping) {
          log(`${this.id}: session on ${session.node} closed (${e.code} ${e.reason})`);
          this.reconnect();
        }
      };
    });
  }

  // reconnect opens a new session through the balancer, as the page does:
  // up to 10 attempts, 300 ms apart.
  async reconnect() {
    for (let attempt = 1; attempt <= 10 && !this.stopping; attempt++) {
      await sleep(300);
      try {
        const s = await this.connect();
        this.reconnects++;
        log(`${this.id}: reconnected to ${s.node} (attempt ${attempt})`);
        return;
      } catch (err) {
        log(`${this.id}: reconnect attempt ${attempt}: ${err.message}`);
      }
    }
    problem(`${this.id}: could not reconnect`);
  }

  send(seq) {
    if (this.sock && this.sock.readyState === SockJS.OPEN) {
      this.sock.send(`${this.id} ${seq}`);
      this.sent.push(seq);
    }
  }

  // receive records one message of the room and checks exactly-once and
  // order per sender on the spot.
  receive(text) {
    const [sender, seqText] = text.split(' ');
    const seq = Number(seqText);
    const seen = this.got.get(sender) || [];
    if (seen.length && seq <= seen[seen.length - 1]) {
      problem(`${this.id}: from ${sender} got #${seq} after #${seen[seen.length - 1]} (duplicate or out of order)`);
    }
    seen.push(seq);
    this.got.set(sender, seen);
  }

  // has reports whether every seq of sender in [from, to) that the sender
  // sent has arrived.
  has(sender, from, to) {
    const got = new Set(this.got.get(sender.id) || []);
    return sender.sent.every((seq) => seq < from || seq >= to || got.has(seq));
  }

  get current() { // the node of its latest session
    return this.sessions.length ? this.sessions[this.sessions.length - 1].node : null;
  }

  close() {
    this.stopping = true;
    if (this.sock) this.sock.close();
  }
}

// sendRound makes every client send seqs [from, to), GAP_MS apart, and
// calls during(i) before the i-th message.
async function sendRound(clients, from, to, during = () => {}) {
  for (let seq = from; seq < to; seq++) {
    during(seq - from);
    for (const c of clients) c.send(seq);
    await sleep(GAP_MS);
  }
}

// delivered waits until every receiver has every message of [from, to) of
// every sender, and reports the receivers that do not.
async function delivered(receivers, senders, from, to, what) {
  const ok = () => receivers.every((r) => senders.every((s) => r.has(s, from, to)));
  if (await until(ok, DELIVERY_MS)) {
    log(`${what}: delivered`);
    return;
  }
  for (const r of receivers) {
    for (const s of senders) {
      if (!r.has(s, from, to)) {
        const got = new Set(r.got.get(s.id) || []);
        const missing = s.sent.filter((seq) => seq >= from && seq < to && !got.has(seq));
        problem(`${what}: ${r.id} misses from ${s.id}: #${missing.slice(0, 5).join(', #')}${missing.length > 5 ? '…' : ''}`);
      }
    }
  }
}

async function stats(node) {
  return new Promise((resolve, reject) => {
    const req = http.get(`http://127.0.0.1:${node.port}/stats`, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('timeout', () => req.destroy(new Error('stats timed out')));
    req.on('error', reject);
  });
}

async function main() {
  await originChecks();
  const segments = await serverSegments();
  log('path balancer: server segment per node', Object.fromEntries(segments));

  const clients = [];
  let n = 0;
  for (const balancer of ['cookie', 'path']) {
    for (const transport of TRANSPORTS) {
      for (const node of NODES) {
        const id = `${balancer}/${transport}/${node.name}`;
        let server;
        if (balancer === 'cookie') {
          server = `c${String(n++).padStart(2, '0')}`; // its own jar entry
          jar.set(server, `JSESSIONID=${node.name}~dummy`); // as if it had been here before
        } else {
          server = segments.get(node.name);
        }
        clients.push(new Client(id, balancer, transport, node.name, server));
      }
    }
  }
  for (const transport of TRANSPORTS) {
    const server = `c${String(n++).padStart(2, '0')}`;
    jar.set(server, ''); // no cookie until the balancer sets one
    clients.push(new Client(`cookie/${transport}/fresh`, 'cookie', transport, null, server));
  }
  await Promise.all(clients.map((c) => c.connect()));
  for (const c of clients) {
    const s = c.sessions[0];
    if (c.placed && s.node !== c.placed) problem(`${c.id}: placed on ${s.node}, want ${c.placed} (affinity key ignored)`);
    if (s.transport !== c.transport) problem(`${c.id}: transport ${s.transport}, want ${c.transport}`);
    c.node = s.node;
  }
  log(`${clients.length} clients connected: ${clients.map((c) => `${c.id}@${c.node}`).join(' ')}`);

  // Round A: everybody talks.
  await sendRound(clients, 0, ROUND);
  await delivered(clients, clients, 0, ROUND, 'round A');

  // Round B: everybody talks, and the victim dies a third of the way in.
  const victim = NODES.find((x) => x.name === VICTIM);
  const doomed = clients.filter((c) => c.node === VICTIM);
  const survivors = clients.filter((c) => c.node !== VICTIM);
  let killedAt = 0;
  await sendRound(clients, ROUND, 2 * ROUND, (i) => {
    if (i === Math.floor(ROUND / 3)) {
      log(`killing node ${victim.name} (PID ${victim.pid}) with SIGKILL`);
      process.kill(victim.pid, 'SIGKILL');
      killedAt = Date.now();
    }
  });
  const back = () => doomed.every((c) => c.reconnects > 0 && c.sock && c.current !== VICTIM);
  if (await until(back, RECONNECT_MS)) {
    log(`all ${doomed.length} clients of ${VICTIM} reconnected elsewhere, ${Date.now() - killedAt} ms after the kill`);
  } else {
    for (const c of doomed) {
      if (!(c.reconnects > 0 && c.sock)) problem(`${c.id}: not reconnected ${RECONNECT_MS} ms after the kill`);
    }
  }
  await delivered(survivors, survivors, ROUND, 2 * ROUND, 'round B (survivors)');

  // Round C: everybody talks again, the reconnected clients included.
  await sendRound(clients, 2 * ROUND, 3 * ROUND);
  await delivered(clients, clients, 2 * ROUND, 3 * ROUND, 'round C');

  // The verdict.
  for (const c of survivors) {
    const closes = c.sessions.filter((s) => s.closed);
    if (closes.length) problem(`${c.id}: its session closed (${closes[0].closed.code} ${closes[0].closed.reason}) though its node lives`);
    for (const s of survivors) {
      if (!c.has(s, 0, 3 * ROUND)) problem(`${c.id}: lost messages of ${s.id}`);
    }
    for (const d of doomed) {
      if (!c.has(d, 0, ROUND) || !c.has(d, 2 * ROUND, 3 * ROUND)) problem(`${c.id}: lost messages of ${d.id} outside the kill`);
    }
  }
  for (const d of doomed) {
    const [first, ...later] = d.sessions;
    if (!first.closed) problem(`${d.id}: its session on ${VICTIM} never closed`);
    for (const s of later) {
      if (s.node === VICTIM) problem(`${d.id}: reconnected to the dead node`);
      if (s.transport !== d.transport) problem(`${d.id}: reconnected with ${s.transport}, want ${d.transport}`);
    }
    if (!d.has(d, 0, ROUND)) problem(`${d.id}: lost messages of round A`);
    // The balancer moved an XHR client's cookie to its new node.
    const cookie = jar.get(d.server);
    if (d.balancer === 'cookie' && d.transport !== 'websocket' && !cookie.startsWith(`JSESSIONID=${d.current}~`)) {
      problem(`${d.id}: cookie ${cookie} after reconnecting to ${d.current}`);
    }
  }
  // What survivors got of a doomed sender in round B (sent just before
  // the kill, in flight or not) must be the same everywhere: Redis
  // delivered each message to every node or to none.
  for (const d of doomed) {
    const seen = survivors.map((c) => (c.got.get(d.id) || []).filter((seq) => seq >= ROUND && seq < 2 * ROUND).join(','));
    if (new Set(seen).size > 1) problem(`survivors disagree on the round B messages of ${d.id}`);
  }
  // Every message received was sent: no phantom or corrupted message.
  const byId = new Map(clients.map((c) => [c.id, new Set(c.sent)]));
  for (const c of clients) {
    for (const [sender, seqs] of c.got) {
      if (!byId.has(sender) || seqs.some((seq) => !byId.get(sender).has(seq))) problem(`${c.id}: got a message ${sender} never sent`);
    }
  }
  // The surviving nodes count every client, and nothing of the dead one.
  // A poll of a dead session that the balancer sent to another node opened
  // a session there that nobody uses; it ends after the disconnect delay
  // (5 s), so this may take that long.
  const alive = NODES.filter((x) => x.name !== VICTIM);
  const countStart = Date.now();
  let counted = 0;
  for (let i = 0; i < 100; i++) {
    counted = 0;
    for (const node of alive) counted += (await stats(node)).sessions;
    if (counted === clients.length) break;
    await sleep(100);
  }
  if (counted !== clients.length) problem(`surviving nodes count ${counted} sessions, want ${clients.length}`);
  else log(`surviving nodes count ${counted} sessions (after ${Date.now() - countStart} ms)`);

  report(clients, doomed, killedAt);
  for (const c of clients) c.close();
}

// report prints one line per client and the reconnection times.
function report(clients, doomed, killedAt) {
  console.log('\nclient                         nodes      sent  received  closed');
  for (const c of clients) {
    const received = [...c.got.values()].reduce((sum, seqs) => sum + seqs.length, 0);
    const closed = c.sessions.filter((s) => s.closed).length;
    const nodes = c.sessions.map((s) => s.node).join('>');
    console.log(`${c.id.padEnd(31)}${nodes.padEnd(9)}${String(c.sent.length).padStart(6)}${String(received).padStart(10)}${String(closed).padStart(8)}`);
  }
  const closedMs = doomed.filter((c) => c.sessions[0].closed).map((c) => c.sessions[0].closed.ms - (killedAt - t0));
  const openMs = doomed.filter((c) => c.sessions[1]).map((c) => c.sessions[1].openMs);
  if (closedMs.length) console.log(`\nafter the kill: sessions closed within ${Math.min(...closedMs)}–${Math.max(...closedMs)} ms; new sessions opened in ${Math.min(...openMs)}–${Math.max(...openMs)} ms`);
  console.log(`${problems.length ? 'FAIL' : 'PASS'}: ${problems.length} problems, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const watchdog = setTimeout(() => {
  problem(`the test did not finish within ${TOTAL_MS} ms`);
  process.exit(1);
}, TOTAL_MS);

main()
  .catch((err) => problem(`error: ${err.stack || err}`))
  .finally(() => {
    clearTimeout(watchdog);
    // Let the closes reach the nodes, then leave.
    setTimeout(() => process.exit(problems.length ? 1 : 0), 300);
  });
