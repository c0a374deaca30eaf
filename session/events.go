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
// (err), and is ending r. unwritten holds the message frames that r had no
// room for, which the session queues again for the client's next request.
type writeDone struct {
	r         Receiver
	err       error
	bytes     int // what the job's messages cost the send buffer
	unwritten []Frame
}

// delivery: messages from the client, and what they cost the inbound
// budget. A delivery of a sending request has an ack, which receives exactly
// one value: nil once the application took them all and asked for more (or
// the session dropped them because it is closing), ErrInboxFull or
// ErrPayloadTooLarge if they were refused. A delivery from a connection's
// reader (Feed) has no ack: the reader is paced by its credit instead.
type delivery struct {
	msgs  []string
	bytes int
	ack   chan error
}

// closeRequest: the application or the server closes the session. drop
// discards the messages still queued for the client instead of sending them
// before the close frame: the session is closed because it holds too much.
type closeRequest struct {
	code   int
	reason string
	drop   bool
}

// heartbeatDue: the heartbeat timer fired.
type heartbeatDue struct{}

func (attach) isEvent()       {}
func (abort) isEvent()        {}
func (writeDone) isEvent()    {}
func (delivery) isEvent()     {}
func (closeRequest) isEvent() {}
func (heartbeatDue) isEvent() {}
