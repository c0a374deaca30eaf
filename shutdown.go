package sockjs

import "context"

// Shutdown stops the handler: new sessions are refused with 503, every open
// session is closed with code 1001 "Server shutting down" (connected clients
// receive the close frame), and Shutdown waits until every session and every
// application handler has ended, or ctx ends first (it then returns ctx's
// error; sessions go on closing in the background).
//
// Shutdown fits http.Server.RegisterOnShutdown (which does not wait) or a
// call next to http.Server.Shutdown; with the latter, call this one first so
// that long-lived streaming requests finish.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.shuttingDown.Store(true)
	// A request that passed the check before Store may still create a
	// session, so repeat until none is left.
	for sessions := h.reg.Sessions(); len(sessions) > 0; sessions = h.reg.Sessions() {
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
	}
	handlersDone := make(chan struct{})
	go func() {
		h.handlers.Wait()
		close(handlersDone)
	}()
	select {
	case <-handlersDone:
	case <-ctx.Done():
		return ctx.Err()
	}
	h.reg.Stop()
	return nil
}
