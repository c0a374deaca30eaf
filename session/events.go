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

// delivery: messages from the client, and what they cost the inbound
// budget. A delivery of a sending request has an ack, which receives exactly
// one value: nil once the application took them all and asked for more (or
// the session dropped them because it is closing), ErrInboxFull or
// ErrPayloadTooLarge if they were refused. A delivery from a connection's
// reader (Feed) has no ack: the reader is paced by its credit instead.
// It is posted as a pointer, which an interface holds without allocating.
type delivery struct {
	msgs  []string
	bytes int
	ack   chan error
	token bool      // from a reader that hands the direct lane's token back with it (lane.go)
	one   [1]string // msgs of a delivery of one message: the delivery is its only allocation
}

// closeRequest: the application or the server closes the session. drop
// discards the messages still queued for the client instead of sending them
// before the close frame: the session is closed because it holds too much.
type closeRequest struct {
	code   int
	reason string
	drop   bool
}

// tick: the session's timer fired. Whether it means a heartbeat or the end
// of a wait depends on the state; a tick from an earlier setting of the
// timer is recognised and ignored (conn.due).
type tick struct{}

// conflictWaited: a receiving request held because another receiver was
// attached (conn.held) has waited Config.ConflictWait.
type conflictWaited struct{ r Receiver }

// A *writer posted to the mailbox is a writer's report of the job it just
// finished (writer.go): the only way a write reports back.

func (attach) isEvent()         {}
func (abort) isEvent()          {}
func (*delivery) isEvent()      {}
func (closeRequest) isEvent()   {}
func (tick) isEvent()           {}
func (conflictWaited) isEvent() {}
func (*writer) isEvent()        {}
