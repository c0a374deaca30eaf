package session

// event is anything posted to a session's mailbox.
type event interface{ isEvent() }

// attach: a transport offers a new receiving connection. The actor closes
// taken when it handles the event, in whatever state: from then on the
// session owns r and will end it. An attach still in the mailbox when the
// actor exits is never taken, and Attach reports the session as gone.
type attach struct {
	r     Receiver
	taken chan struct{}
}

// abort: the client or the network closed a receiver.
type abort struct{ r Receiver }

// writeDone: a writer goroutine finished a job that used r up, or failed
// (err), and is ending r.
type writeDone struct {
	r   Receiver
	err error
}

// delivery: messages from the client. ack receives exactly one value: nil
// once the application took them all and asked for more (or the session
// dropped them because it is closing), ErrInboxFull if they were refused.
type delivery struct {
	msgs []string
	ack  chan error
}

// closeRequest: the application or the server closes the session.
type closeRequest struct {
	code   int
	reason string
}

// heartbeatDue: the heartbeat timer fired.
type heartbeatDue struct{}

func (attach) isEvent()       {}
func (abort) isEvent()        {}
func (writeDone) isEvent()    {}
func (delivery) isEvent()     {}
func (closeRequest) isEvent() {}
func (heartbeatDue) isEvent() {}
