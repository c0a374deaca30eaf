package sockjs

import "github.com/gosockjs/sockjs/session"

// Prepared is a message encoded once for many sessions; see Prepare.
type Prepared = session.Prepared

// Prepare encodes msg once for Session.SendPrepared, so that sending it to
// many sessions costs one encoding, not one per session.
func Prepare(msg string) *Prepared { return session.Prepare(msg) }

// Broadcast sends msg to every session, encoding it once. Like Send, it
// never waits for the network; each session applies its own slow-consumer
// policy, so one slow client is closed and the others are not held up.
// It returns how many sessions accepted the message; closed sessions are
// skipped.
func Broadcast(msg string, sessions []*Session) int {
	p := session.Prepare(msg)
	n := 0
	for _, s := range sessions {
		if s.SendPrepared(p) == nil {
			n++
		}
	}
	return n
}
