package main

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// The HTTP floor does the work of xhr_streaming, xhr polling and xhr_send
// with as little as possible around it: one in-memory queue per id, lines
// of raw text instead of SockJS frames, no application goroutine (the
// sending request itself queues the echo), no session timers: a queue
// lives as long as the process, as if the disconnect delay were endless.
//
//	POST /echo/{id}/poll    long poll: "o" for a new id; else the queued
//	                        messages, one a line, as soon as there are any;
//	                        "h" after the heartbeat delay
//	POST /echo/{id}/stream  "o" for a new id, then every message as a
//	                        flushed line, until streamLimit bytes
//	POST /echo/{id}/send    the body is one message: queued for the id's
//	                        receiver (204), or 404 for an unknown id
const (
	streamLimit    = 128 * 1024       // as the libraries' default response limit
	plainHeartbeat = 25 * time.Second // as the libraries' default heartbeat delay
	maxPlainBody   = 1 << 20          // as the libraries' default body limit
)

// plainQueue holds one id's messages for its receiving request.
type plainQueue struct {
	mu   sync.Mutex
	msgs []string
	wake chan struct{} // capacity 1: a message arrived
}

func (q *plainQueue) push(msg string) {
	q.mu.Lock()
	q.msgs = append(q.msgs, msg)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take appends every queued message, one a line, to dst.
func (q *plainQueue) take(dst []byte) []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, m := range q.msgs {
		dst = append(dst, m...)
		dst = append(dst, '\n')
		q.msgs[i] = ""
	}
	q.msgs = q.msgs[:0]
	return dst
}

// plainHTTP is the table of queues.
type plainHTTP struct {
	c      *counters
	mu     sync.Mutex
	queues map[string]*plainQueue
}

func mountPlainHTTP(mux *http.ServeMux, c *counters) {
	p := &plainHTTP{c: c, queues: make(map[string]*plainQueue)}
	mux.HandleFunc("POST /echo/{id}/poll", p.poll)
	mux.HandleFunc("POST /echo/{id}/stream", p.stream)
	mux.HandleFunc("POST /echo/{id}/send", p.send)
}

// acquire returns the id's queue, creating it if needed.
func (p *plainHTTP) acquire(id string) (q *plainQueue, created bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if q = p.queues[id]; q == nil {
		q = &plainQueue{wake: make(chan struct{}, 1)}
		p.queues[id] = q
		p.c.sessions.Add(1)
		created = true
	}
	return q, created
}

func (p *plainHTTP) lookup(id string) *plainQueue {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queues[id]
}

func (p *plainHTTP) poll(w http.ResponseWriter, r *http.Request) {
	q, created := p.acquire(r.PathValue("id"))
	w.Header().Set("Content-Type", "text/plain")
	if created {
		_, _ = io.WriteString(w, "o\n")
		return
	}
	out := q.take(nil)
	if len(out) == 0 {
		t := time.NewTimer(plainHeartbeat)
		defer t.Stop()
		// A wake-up can be left over from a message that an earlier
		// request took: wait on until there is something to take.
		for len(out) == 0 {
			select {
			case <-q.wake:
				out = q.take(out)
			case <-t.C:
				out = append(out, "h\n"...)
			case <-r.Context().Done():
				return
			}
		}
	}
	_, _ = w.Write(out)
}

func (p *plainHTTP) stream(w http.ResponseWriter, r *http.Request) {
	q, created := p.acquire(r.PathValue("id"))
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	var out []byte
	if created {
		out = append(out, "o\n"...)
	}
	written := 0
	for written < streamLimit {
		out = q.take(out)
		if len(out) > 0 {
			if _, err := w.Write(out); err != nil || rc.Flush() != nil {
				return
			}
			written += len(out)
			out = out[:0]
			continue
		}
		select {
		case <-q.wake:
		case <-r.Context().Done():
			return
		}
	}
}

func (p *plainHTTP) send(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPlainBody))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	q := p.lookup(r.PathValue("id"))
	if q == nil {
		http.NotFound(w, r)
		return
	}
	q.push(string(body))
	w.WriteHeader(http.StatusNoContent)
}
