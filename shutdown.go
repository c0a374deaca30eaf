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
	// The registry refuses new sessions and lists the existing ones in one
	// step, so no session can appear that this call does not wait for.
	sessions := h.reg.Drain()
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
