// The SockJS protocol test services on sockjs-node 0.3.24, for the Go
// client's interoperability tests: /echo (response limit 4096),
// /close (closes with 3000 "Go away!"), /disabled_websocket_echo and
// /cookie_needed_echo. It listens on 127.0.0.1 on a free port, prints
// "listening PORT" once ready, and exits when its standard input closes.
'use strict';
const http = require('http');
const sockjs = require('sockjs');

const quiet = { log: () => {} };
const echo = (conn) => conn.on('data', (msg) => conn.write(msg));
const services = [
  ['/echo', { response_limit: 4096 }, echo],
  ['/close', {}, (conn) => conn.close(3000, 'Go away!')],
  ['/disabled_websocket_echo', { websocket: false }, echo],
  ['/cookie_needed_echo', { jsessionid: true }, echo],
];

const server = http.createServer();
for (const [prefix, options, onConnection] of services) {
  const service = sockjs.createServer(Object.assign({ prefix }, quiet, options));
  service.on('connection', onConnection);
  service.installHandlers(server);
}
server.listen(0, '127.0.0.1', () => {
  process.stdout.write('listening ' + server.address().port + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
