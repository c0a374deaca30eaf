package session

// This file holds the direct lane: a websocket reader hands a message
// straight to an application waiting in Recv, without the actor, when the
// actor holds nothing of that reader's that the message could overtake.
// It saves the busiest hand-off there is, reader → actor → application,
// on every message of a request and response exchange. A sending HTTP
// request (Deliver) uses the same lane; see deliverDirect.
//
// The lane is one token that moves between the actor and the reader over
// a channel of capacity one (Session.lane). The actor puts the token there
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
// still hand over the delivery it is handling (the messages of one
// websocket frame, or of one sending request), and only to a Recv that is
// waiting for them; the actor takes the token on its next turn. Closing
// and back-pressure can therefore let one delivery through after they
// began, never more.

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
	n, ok := s.takeToken()
	if !ok {
		return msgs
	}
	in.token = true
	if n != in.posted {
		return msgs // a delivery is on its way: follow it, with the token
	}
	if msgs = s.handOver(msgs); len(msgs) > 0 {
		return msgs // Recv stopped waiting: post the rest with the token
	}
	s.lane <- n // never waits: the reader held the only token
	in.token = false
	return nil
}

// deliverDirect hands the messages of a sending request straight to a
// waiting Recv, if the actor has lent the token. It returns the messages
// it could not hand over and whether the caller holds the token, which it
// then posts with them. A sending request needs no count: the requests of
// one client follow each other, each answered only once its messages were
// taken, so none can be on its way when the next one comes; concurrent
// requests have no order to keep.
func (s *Session) deliverDirect(msgs []string) ([]string, bool) {
	n, ok := s.takeToken()
	if !ok {
		return msgs, false
	}
	if msgs = s.handOver(msgs); len(msgs) > 0 {
		return msgs, true
	}
	s.lane <- n // never waits: the caller held the only token
	return nil, false
}

// takeToken takes the lane's token, and the count it carries, if the actor
// has lent it.
func (s *Session) takeToken() (uint64, bool) {
	select {
	case n := <-s.lane:
		return n, true
	default:
		return 0, false
	}
}

// handOver hands msgs, in order, to Recv for as long as it is waiting, and
// returns the rest.
func (s *Session) handOver(msgs []string) []string {
	for len(msgs) > 0 {
		select {
		case s.inbound <- inboundMsg{text: msgs[0]}:
			msgs = msgs[1:]
		default:
			return msgs
		}
	}
	return nil
}
