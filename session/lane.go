package session

// This file holds the direct lane: a websocket reader hands a message
// straight to an application waiting in Recv, without the actor, when the
// actor holds nothing of that reader's that the message could overtake.
// It saves the busiest hand-off there is, reader → actor → application,
// on every message of a request and response exchange.
//
// The lane is one token that moves between the actor and the reader over
// a channel of capacity one (Credit.lane). The actor puts the token there
// only while the lane may be used: no inbound message waits in the inbox,
// the session is open and not holding inbound messages back
// (sendBackedUp). The token carries the number of the reader's deliveries
// the actor had received when it gave the token out. The reader that takes
// it may hand a message straight to a waiting Recv only if it has posted
// no delivery since (its own count matches): otherwise a delivery is still
// on its way to the actor, and the message must follow it. After a direct
// hand-off the reader puts the token back; when Recv is not waiting, the
// reader posts the message to the actor as usual with the token attached,
// and the actor keeps it until its inbox is empty again.
//
// The actor takes the token back whenever the lane must close (messages
// queued, the send buffer half full, the session closing) and the token is
// in the channel. If the reader holds it at that moment, the reader may
// still hand over the one message it is handling; the actor takes the
// token on its next turn. Closing and back-pressure can therefore let one
// message through after they began, never more.

// openLane: a reader announces its lane (NewCredit).
type openLane struct{ lane chan uint64 }

func (openLane) isEvent() {}

// syncLane gives the lane's token to the reader when the lane may be used,
// and takes it back when it must close. It runs on every turn of the
// states that hand out inbound messages.
func (c *conn) syncLane() {
	if c.lane == nil {
		return
	}
	open := c.inboundLen() == 0 && c.cause == nil && !c.sendBackedUp()
	switch {
	case open && c.laneHeld:
		c.lane <- c.fedIn // never waits: the token is unique and the channel holds one
		c.laneHeld = false
	case !open && !c.laneHeld:
		c.takeLane()
	}
}

// takeLane takes the token back if it is in the channel; if the reader
// holds it, it comes back with the reader's next delivery or in the
// channel, and a later turn takes it.
func (c *conn) takeLane() {
	select {
	case <-c.lane:
		c.laneHeld = true
	default:
	}
}

// direct hands msgs, in order, straight to a waiting Recv while the reader
// holds the lane's token and has posted nothing since the actor gave it
// out. It returns the messages it could not hand over: Recv was not
// waiting, or the lane is closed. The caller posts those, with the token
// if in.token says the reader still holds it.
func (s *Session) direct(in *Credit, msgs []string) []string {
	if !in.token {
		select {
		case n := <-in.lane:
			in.token = true
			if n != in.posted {
				return msgs // a delivery is on its way: follow it, with the token
			}
		default:
			return msgs
		}
	}
	for len(msgs) > 0 {
		select {
		case s.inbound <- inboundMsg{text: msgs[0]}:
			msgs = msgs[1:]
		default:
			return msgs // Recv is not waiting: post the rest with the token
		}
	}
	in.lane <- in.posted // never waits: the reader held the only token
	in.token = false
	return nil
}
