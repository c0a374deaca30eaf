package sockjs

import "context"

// Drain winds the Handler down gently, for a deployment that replaces this
// server: new sessions are refused with 503 at once; the application is
// told (every Session's Draining channel is closed) while its sessions stay
// open; and Drain waits for the application's serve functions to return, or
// for ctx to end. Then it closes the sessions still open with CodeGoingAway
// and waits for them to end, exactly as Shutdown, within ctx.
//
// Give ctx the time that in-flight work may take (an RPC call, a message
// being processed); serve functions watch Draining and return once done.
// Their sessions close with CodeGoingAway as well, after the messages they
// sent, so every client learns the same thing: this server is going away.
// When ctx ends first, the sessions are still closed and Drain returns
// ctx's error; call Shutdown with a fresh context to wait for them.
func (h *Handler) Drain(ctx context.Context) error {
	h.reg.Drain() // refuses new sessions from now on
	h.startDraining()
	_ = h.handlers.wait(ctx) // on ctx's end, Shutdown below says so
	return h.Shutdown(ctx)
}

// startDraining closes the Draining channel, once.
func (h *Handler) startDraining() {
	h.drain.Do(func() { close(h.draining) })
}

// Shutdown stops the handler: new sessions are refused with 503, every open
// session is closed with CodeGoingAway (1001 "Server shutting down";
// connected clients receive the close frame), and Shutdown waits until every
// session and every application handler has ended, or ctx ends first (it
// then returns ctx's error; sessions go on closing in the background). A
// polling client that is between requests gets its close frame on its next
// poll; its session waits for it for Options.ShutdownGrace (3 s: a page in a
// background tab polls about a second after each answer).
// Shutdown may be called again, for example with a longer ctx.
//
// Shutdown fits http.Server.RegisterOnShutdown (which does not wait) or a
// call next to http.Server.Shutdown; with the latter, call this one first so
// that long-lived streaming requests finish. Drain is the gentle variant.
func (h *Handler) Shutdown(ctx context.Context) error {
	// The registry refuses new sessions and lists the existing ones in one
	// step, so no session can appear that this call does not wait for.
	sessions := h.reg.Drain()
	h.startDraining()
	for _, s := range sessions {
		s.Shutdown()
	}
	for _, s := range sessions {
		select {
		case <-s.Done():
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := h.handlers.wait(ctx); err != nil {
		return err
	}
	h.reg.Stop()
	return nil
}
