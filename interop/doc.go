// Package interop holds the Go client's interoperability tests, in a module
// of their own so that the library's module gains no dependency: the client
// (github.com/gosockjs/sockjs/client) against this library's handler,
// against sockjs-node 0.3.24 (the reference server, run with Node.js from
// node/) and against igm/sockjs-go v3, on every transport; behind a proxy
// that refuses websocket upgrades and buffers streaming responses, so that
// the fallback is exercised; and against servers that die mid-stream.
//
// sockjs-go sometimes answers a client that polls or reconnects at once
// with c[2010,"Another connection still open"] (its session lets go of a
// response only after the response ended); a middleware in front of it
// asks again, as a client would have to, so that the tests see the
// client's behaviour rather than that race.
//
// Run node/'s npm ci first (the repository's .ci/test does); without
// node_modules, or without Node.js, the sockjs-node tests are skipped,
// except under CI, where they fail.
package interop
