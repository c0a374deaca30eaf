'use strict';
// Builds and runs the Go servers the end-to-end tests talk to, on free
// loopback ports, and serves the test pages next to a local copy of
// sockjs-client (this machine may have no internet, and the iframe
// transports load the client script again inside their iframe).

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const E2E_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(E2E_DIR, '..');
const PAGES_DIR = path.join(E2E_DIR, 'pages');
const CLIENT_JS = path.join(E2E_DIR, 'node_modules', 'sockjs-client', 'dist', 'sockjs.min.js');
const LOG_DIR = path.join(E2E_DIR, 'test-results');

const HOST = '127.0.0.1';

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// freePort asks the kernel for an unused loopback port. Another process could
// take it before the server binds it; start() retries on a new port then.
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20, ...opts }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n${stdout}${stderr}`;
        reject(err);
      } else {
        resolve(stdout);
      }
    });
  });
}

// Every child process we start, so that a crash of the test process still
// kills them (see the 'exit' hook below).
const children = new Set();
function killChildren() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killChildren);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killChildren();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
  });
}

// Fixture owns a temporary directory, the Go binaries built into it, the
// static directory and the servers started from them. Call close() in an
// after() hook: it stops every process by its PID and removes the directory.
class Fixture {
  constructor(name) {
    this.name = name;
    this.dir = null;
    this.servers = [];
    this.builds = new Map(); // example name -> Promise of its binary
    this.static = null; // Promise of the static directory
  }

  async init() {
    this.dir = await fsp.mkdtemp(path.join(os.tmpdir(), `sockjs-e2e-${this.name}-`));
    await fsp.mkdir(LOG_DIR, { recursive: true });
    return this;
  }

  // build compiles ./examples/<name> from the repository root, once per
  // fixture, unless E2E_BIN_DIR already holds it.
  build(example) {
    // run.sh builds the binaries once for all test files.
    const prebuilt = process.env.E2E_BIN_DIR && path.join(process.env.E2E_BIN_DIR, example);
    if (prebuilt && fs.existsSync(prebuilt)) {
      return Promise.resolve(prebuilt);
    }
    if (!this.builds.has(example)) {
      const out = path.join(this.dir, example);
      this.builds.set(example, run('go', ['build', '-buildvcs=false', '-o', out, `./examples/${example}`], {
        cwd: REPO_ROOT,
        timeout: 240_000,
      }).then(() => out));
    }
    return this.builds.get(example);
  }

  // staticDir returns a directory with the test pages and sockjs.min.js.
  staticDir() {
    if (!this.static) {
      this.static = (async () => {
        if (!fs.existsSync(CLIENT_JS)) {
          throw new Error(`${CLIENT_JS} is missing: run "npm ci" in e2e/`);
        }
        const dir = path.join(this.dir, 'static');
        await fsp.mkdir(dir);
        for (const f of await fsp.readdir(PAGES_DIR)) {
          await fsp.copyFile(path.join(PAGES_DIR, f), path.join(dir, f));
        }
        await fsp.copyFile(CLIENT_JS, path.join(dir, 'sockjs.min.js'));
        return dir;
      })();
    }
    return this.static;
  }

  // start runs a built example with args(port) until GET readyPath answers
  // 200. It returns {origin, port, pid, stop}.
  async start(example, label, args, readyPath) {
    const bin = await this.build(example);
    let lastErr;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const origin = `http://${HOST}:${port}`;
      // run.sh runs one test process per browser: E2E_BROWSERS tells
      // their logs apart.
      const tag = process.env.E2E_BROWSERS ? `-${process.env.E2E_BROWSERS.replace(/,/g, '+')}` : '';
      const logPath = path.join(LOG_DIR, `${this.name}${tag}-${label}.log`);
      const log = fs.openSync(logPath, 'a');
      const child = spawn(bin, args(port, origin), { stdio: ['ignore', log, log] });
      fs.closeSync(log);
      // Unreferenced: a test process that forgot to stop it still exits,
      // and its 'exit' hook then kills the child.
      child.unref();
      children.add(child);
      if (process.env.E2E_PIDFILE) {
        // run.sh kills whatever is left of these if this process dies.
        fs.appendFileSync(process.env.E2E_PIDFILE, `${child.pid}\n`);
      }
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      child.once('exit', () => children.delete(child));
      const server = { label, origin, port, pid: child.pid, child, exited, logPath };
      server.stop = () => stopChild(child, exited);
      try {
        await waitReady(`${origin}${readyPath}`, exited, 20_000);
        this.servers.push(server);
        return server;
      } catch (err) {
        lastErr = err;
        await server.stop();
      }
    }
    throw new Error(`${example} (${label}) did not start: ${lastErr && lastErr.message}`);
  }

  // testServer starts examples/testserver serving the SockJS test services
  // and the static directory; the iframe page loads sockjs-client from the
  // server's own /static/.
  async testServer(label) {
    const dir = await this.staticDir();
    return this.start('testserver', label, (port, origin) => [
      '-addr', `${HOST}:${port}`,
      '-client-url', `${origin}/static/sockjs.min.js`,
      '-static', dir,
    ], '/echo/info');
  }

  // chatServer starts examples/chat. clientURL must serve sockjs-client;
  // allowOrigins are the other origins allowed to use its SockJS service.
  async chatServer(label, clientURL, allowOrigins = []) {
    const extra = allowOrigins.length ? ['-allow-origin', allowOrigins.join(',')] : [];
    return this.start('chat', label, (port) => [
      '-addr', `${HOST}:${port}`,
      '-client-url', clientURL,
      ...extra,
    ], '/stats');
  }

  async close() {
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((s) => s.stop()));
    if (this.dir) {
      await fsp.rm(this.dir, { recursive: true, force: true });
      this.dir = null;
    }
  }
}

// waitReady polls url until it answers 200, the process exits, or ms pass.
async function waitReady(url, exited, ms) {
  const deadline = Date.now() + ms;
  let gone = null;
  exited.then((e) => { gone = e; });
  while (Date.now() < deadline) {
    if (gone) {
      throw new Error(`exited early (${gone.code ?? gone.signal})`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready within ${ms} ms`);
}

// stopChild sends SIGTERM to the child (by its PID) and SIGKILL if it has
// not exited within 5 s.
async function stopChild(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  child.kill('SIGTERM');
  if ((await within(exited, 5000)) === TIMEOUT) {
    child.kill('SIGKILL');
    await within(exited, 2000);
  }
}

const TIMEOUT = Symbol('timeout');

// within resolves to p's value, or to TIMEOUT after ms; it leaves no timer
// behind.
function within(p, ms) {
  let timer;
  const t = new Promise((resolve) => { timer = setTimeout(resolve, ms, TIMEOUT); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

module.exports = { Fixture, HOST, E2E_DIR, REPO_ROOT, PAGES_DIR, CLIENT_JS, LOG_DIR, sleep, within, TIMEOUT };
