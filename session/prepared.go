package session

import "github.com/gosockjs/sockjs/internal/frame"

// Prepared is a message encoded once for sending to many sessions, as a
// broadcast does: SendPrepared puts it in each session's queue without
// encoding it again. A Prepared is immutable and safe for concurrent use.
type Prepared struct {
	msg Message
}

// Prepare encodes msg for SendPrepared.
func Prepare(msg string) *Prepared {
	return &Prepared{msg: Message{Text: msg, JSON: frame.AppendString(nil, msg)}}
}

// Text returns the message.
func (p *Prepared) Text() string { return p.msg.Text }
