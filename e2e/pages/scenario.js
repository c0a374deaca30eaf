/*
 * Scenarios of the end-to-end tests. The same file runs in the browsers
 * (loaded by index.html, as window.e2e) and in Node.js (require). Each scenario takes
 * the SockJS constructor and options, drives real sockjs-client connections
 * and resolves to plain observations; the tests judge them. Every wait is
 * bounded, so a scenario always resolves.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.e2e = factory();
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // connect opens a SockJS connection restricted to one transport (or the
  // client's choice) and records what happens to it.
  function connect(SockJS, url, transport, openTimeoutMs) {
    var st = {
      enabled: null, // transports the client was willing to try, in order
      opened: false,
      openMs: null,
      transport: null,
      messages: [],
      errors: 0,
      close: null,
      clientTimeout: null, // set when the client gave up waiting for "o"
    };
    var started = Date.now();
    var waiters = [];
    function poke() {
      waiters = waiters.filter(function (w) {
        if (!w.pred()) {
          return true;
        }
        clearTimeout(w.timer);
        w.resolve(true);
        return false;
      });
    }
    // A null transport leaves the choice to the client. openTimeoutMs
    // raises the client's patience for "o" (see connect's caller).
    var options = {};
    if (transport) {
      options.transports = [transport];
    }
    if (openTimeoutMs) {
      options.timeout = openTimeoutMs;
    }
    var sock = new SockJS(url, null, options);
    // sockjs-client 1.6.1 calls _connect once it has the server's /info,
    // with the list of transports that are both whitelisted and enabled in
    // this environment. An empty list means the client itself refuses the
    // transport here.
    var connectOnce = sock._connect;
    sock._connect = function () {
      if (st.enabled === null) {
        st.enabled = (this._transports || []).map(function (t) { return t.transportName; });
      }
      return connectOnce.apply(this, arguments);
    };
    // The client gives up on a transport that has not opened within
    // max(timeout option, RTO x round trips); RTO is 300 ms + the /info
    // round-trip time on a fast link.
    var timeoutOnce = sock._transportTimeout;
    sock._transportTimeout = function () {
      if (this.readyState === SockJS.CONNECTING) {
        st.clientTimeout = { afterMs: Date.now() - started, rtoMs: this._rto };
      }
      return timeoutOnce.apply(this, arguments);
    };
    sock.onopen = function () {
      st.opened = true;
      st.openMs = Date.now() - started;
      st.transport = sock.transport;
      poke();
    };
    sock.onmessage = function (e) {
      st.messages.push(e.data);
      poke();
    };
    sock.onerror = function () {
      st.errors++;
      poke();
    };
    sock.onclose = function (e) {
      st.close = { code: e.code, reason: e.reason, wasClean: e.wasClean };
      poke();
    };
    function waitFor(pred, ms) {
      return new Promise(function (resolve) {
        if (pred()) {
          resolve(true);
          return;
        }
        var w = { pred: pred, resolve: resolve };
        w.timer = setTimeout(function () {
          waiters = waiters.filter(function (x) { return x !== w; });
          resolve(false);
        }, ms);
        waiters.push(w);
      });
    }
    function closeAndWait(ms) {
      if (!st.close) {
        try {
          sock.close();
        } catch (e) {
          // already closing
        }
      }
      return waitFor(function () { return st.close !== null; }, ms);
    }
    return { sock: sock, st: st, waitFor: waitFor, closeAndWait: closeAndWait };
  }

  function opened(c) {
    return function () { return c.st.opened || c.st.close !== null; };
  }

  function copy(st) {
    return {
      enabled: st.enabled,
      opened: st.opened,
      openMs: st.openMs,
      transport: st.transport,
      errors: st.errors,
      clientTimeout: st.clientTimeout,
    };
  }

  // echo sends messages back-to-back over an echo service and collects
  // what comes back, then closes from the client side.
  async function echo(SockJS, o) {
    var c = connect(SockJS, o.url, o.transport, o.openTimeoutMs);
    await c.waitFor(opened(c), o.timeoutMs);
    var out = copy(c.st);
    if (!c.st.opened) {
      await c.closeAndWait(5000);
      out.closeBeforeOpen = c.st.close;
      return out;
    }
    var t0 = Date.now();
    try {
      o.messages.forEach(function (m) { c.sock.send(m); });
    } catch (e) {
      out.sendError = String(e);
    }
    out.allEchoed = await c.waitFor(function () {
      return c.st.messages.length >= o.messages.length || c.st.close !== null;
    }, o.timeoutMs);
    out.echoMs = Date.now() - t0;
    out.closedByServer = c.st.close;
    out.received = c.st.messages.slice();
    await c.closeAndWait(5000);
    out.close = c.st.close;
    out.afterClose = c.st.messages.length - out.received.length;
    return out;
  }

  // serverClose connects to a service that closes every session as soon as
  // it opens and reports the close event.
  async function serverClose(SockJS, o) {
    var c = connect(SockJS, o.url, o.transport, o.openTimeoutMs);
    await c.waitFor(opened(c), o.timeoutMs);
    var out = copy(c.st);
    if (c.st.opened) {
      await c.waitFor(function () { return c.st.close !== null; }, o.timeoutMs);
    }
    out.close = c.st.close;
    out.received = c.st.messages.slice();
    await c.closeAndWait(5000);
    return out;
  }

  function chatEvents(c) {
    return c.st.messages.map(function (m) {
      try {
        return JSON.parse(m);
      } catch (e) {
        return { type: 'unparsable', text: m };
      }
    });
  }

  function seen(c, type, name, text) {
    return function () {
      if (c.st.close !== null) {
        return true;
      }
      return chatEvents(c).some(function (ev) {
        return ev.type === type && (name === undefined || ev.name === name) &&
          (text === undefined || ev.text === text);
      });
    };
  }

  function found(c, type, name, text) {
    return chatEvents(c).some(function (ev) {
      return ev.type === type && (name === undefined || ev.name === name) &&
        (text === undefined || ev.text === text);
    });
  }

  // clientClose checks, with the chat service, that a client-side close
  // ends the session on the server: an observer (over websocket) sees the
  // subject (over the transport under test) join, talk and, after the
  // subject's close(), leave.
  async function clientClose(SockJS, o) {
    var out = {};
    var observer = connect(SockJS, o.url, 'websocket', o.openTimeoutMs);
    await observer.waitFor(seen(observer, 'welcome'), o.timeoutMs);
    if (!found(observer, 'welcome')) {
      out.error = 'observer (websocket) did not join the chat: ' + JSON.stringify(observer.st.close);
      await observer.closeAndWait(5000);
      return out;
    }
    var subject = connect(SockJS, o.url, o.transport, o.openTimeoutMs);
    await subject.waitFor(seen(subject, 'welcome'), o.timeoutMs);
    Object.assign(out, copy(subject.st));
    var welcome = chatEvents(subject).filter(function (ev) { return ev.type === 'welcome'; })[0];
    if (!welcome) {
      out.closeBeforeWelcome = subject.st.close;
      await subject.closeAndWait(5000);
      await observer.closeAndWait(5000);
      return out;
    }
    var name = welcome.name;
    out.name = name;
    out.joinSeen = await observer.waitFor(function () { return found(observer, 'join', name); }, o.timeoutMs);
    var text = 'hello from ' + o.transport + ' ' + name;
    subject.sock.send(text);
    out.messageSeen = await observer.waitFor(function () { return found(observer, 'message', name, text); }, o.timeoutMs);
    // Let the subject settle, so that polling transports have their next
    // poll pending when close() aborts it.
    await new Promise(function (resolve) { setTimeout(resolve, o.settleMs || 0); });
    var t0 = Date.now();
    await subject.closeAndWait(5000);
    out.close = subject.st.close;
    out.leaveSeen = await observer.waitFor(function () { return found(observer, 'leave', name); }, o.leaveTimeoutMs);
    out.leaveMs = Date.now() - t0;
    out.observerClose = observer.st.close;
    await observer.closeAndWait(5000);
    return out;
  }

  // waitForClose opens a connection and hands back two promises: opened
  // (resolves once open; rejects if it does not open) and closed (the close
  // event, or null after o.timeoutMs past the open).
  function waitForClose(SockJS, o) {
    var c = connect(SockJS, o.url, o.transport, o.openTimeoutMs);
    var opened = c.waitFor(function () { return c.st.opened || c.st.close !== null; }, o.timeoutMs)
      .then(function () {
        if (!c.st.opened || c.st.transport !== o.transport) {
          throw new Error(o.transport + ': did not open (' + JSON.stringify(c.st) + ')');
        }
      });
    var closed = opened.then(function () {
      return c.waitFor(function () { return c.st.close !== null; }, o.timeoutMs);
    }).then(function () { return c.st.close; });
    return { opened: opened, closed: closed };
  }

  // join opens a chat connection over o.transport and waits for its
  // welcome; the connection stays open (on self.e2eJoined) for the test to
  // abandon, by closing the page or navigating it away.
  async function join(SockJS, o) {
    var c = connect(SockJS, o.url, o.transport, o.openTimeoutMs);
    await c.waitFor(seen(c, 'welcome'), o.timeoutMs);
    var out = copy(c.st);
    var welcome = chatEvents(c).filter(function (ev) { return ev.type === 'welcome'; })[0];
    out.name = welcome ? welcome.name : null;
    out.close = c.st.close;
    if (typeof self !== 'undefined') {
      self.e2eJoined = c;
    }
    return out;
  }

  // observe joins the chat over websocket (from Node.js) to watch others
  // come and go. ready resolves to true once joined; joined(name, ms) and
  // left(name, ms) resolve to true once the chat announced it, or false
  // after ms; close() leaves.
  function observe(SockJS, o) {
    var c = connect(SockJS, o.url, 'websocket', o.openTimeoutMs);
    var ready = c.waitFor(seen(c, 'welcome'), o.timeoutMs).then(function () { return found(c, 'welcome'); });
    function announced(type) {
      return function (name, ms) {
        return c.waitFor(function () { return c.st.close !== null || found(c, type, name); }, ms)
          .then(function () { return found(c, type, name); });
      };
    }
    return {
      ready: ready,
      joined: announced('join'),
      left: announced('leave'),
      closed: function () { return c.st.close; },
      close: function () { return c.closeAndWait(5000); },
    };
  }

  return {
    echo: echo, serverClose: serverClose, clientClose: clientClose, waitForClose: waitForClose,
    join: join, observe: observe,
  };
});
