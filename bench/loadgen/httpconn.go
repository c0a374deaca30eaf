package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
)

// httpConn is a minimal HTTP/1.1 client over one keep-alive connection:
// one request at a time, Content-Length or chunked response bodies. It is
// much cheaper than net/http's client, so that the load generator spends
// its CPU on the protocol, not on its own HTTP stack.
type httpConn struct {
	host string // Host header
	dial func() (net.Conn, error)
	br   *bufio.Reader
	wbuf []byte

	// nc is set and cleared by the goroutine using the connection, under
	// mu, so that abort can close it from another goroutine.
	mu      sync.Mutex
	nc      net.Conn
	aborted bool
}

var errAborted = errors.New("connection aborted")

// abort closes the connection from any goroutine: the request in progress
// fails, and so does every later one.
func (c *httpConn) abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.aborted = true
	if c.nc != nil {
		c.nc.Close()
	}
}

func newHTTPConn(host string, dial func() (net.Conn, error)) *httpConn {
	return &httpConn{host: host, dial: dial}
}

var errProtocol = errors.New("malformed HTTP response")

// maxHeaderLines bounds the header (and trailer) lines of a response.
const maxHeaderLines = 200

// request sends a POST and reads the response head. The caller reads the
// body from the returned response, to its end, before the next request.
func (c *httpConn) request(path string, body []byte) (*response, error) {
	if c.nc == nil {
		nc, err := c.dial()
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.aborted {
			c.mu.Unlock()
			nc.Close()
			return nil, errAborted
		}
		c.nc = nc
		c.mu.Unlock()
		if c.br == nil {
			c.br = bufio.NewReaderSize(nc, 16<<10)
		} else {
			c.br.Reset(nc)
		}
	}
	b := c.wbuf[:0]
	b = append(b, "POST "...)
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.host...)
	b = append(b, "\r\nContent-Type: text/plain\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	c.wbuf = b
	if _, err := c.nc.Write(b); err != nil {
		c.close()
		return nil, err
	}
	r, err := c.readHead()
	if err != nil {
		c.close()
		return nil, err
	}
	return r, nil
}

// close drops the connection; the next request dials again.
func (c *httpConn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.mu.Lock()
		c.nc = nil
		c.mu.Unlock()
	}
}

// response is a response body in progress.
type response struct {
	c         *httpConn
	status    int
	chunked   bool
	remaining int64 // Content-Length bytes left; -1: until the connection closes
	chunkLeft int64 // bytes left in the current chunk
	started   bool  // a chunk was read, so its CRLF must be skipped
	eof       bool
	closeConn bool // Connection: close
}

func (c *httpConn) readHead() (*response, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return nil, errProtocol
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return nil, errProtocol
	}
	r := &response{c: c, status: status, remaining: -1}
	for i := 0; ; i++ {
		if i == maxHeaderLines {
			return nil, errProtocol
		}
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return nil, errProtocol
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "Content-Length"):
			if r.remaining, err = strconv.ParseInt(string(value), 10, 64); err != nil {
				return nil, errProtocol
			}
		case asciiEqualFold(name, "Transfer-Encoding"):
			r.chunked = asciiEqualFold(value, "chunked")
		case asciiEqualFold(name, "Connection"):
			r.closeConn = asciiEqualFold(value, "close")
		}
	}
	if status == 204 || status == 304 || status < 200 {
		r.remaining, r.chunked = 0, false
	}
	if r.remaining == 0 && !r.chunked {
		r.finish()
	}
	return r, nil
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func (r *response) finish() {
	r.eof = true
	if r.closeConn || (!r.chunked && r.remaining < 0) {
		r.c.close()
	}
}

// Read implements io.Reader over the body.
func (r *response) Read(p []byte) (int, error) {
	if r.eof {
		return 0, io.EOF
	}
	br := r.c.br
	if !r.chunked {
		if r.remaining >= 0 && int64(len(p)) > r.remaining {
			p = p[:r.remaining]
		}
		n, err := br.Read(p)
		if r.remaining >= 0 {
			r.remaining -= int64(n)
			if r.remaining == 0 {
				r.finish()
				err = nil
			}
		}
		if err == io.EOF && r.remaining > 0 {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			r.c.close()
		}
		return n, err
	}
	if r.chunkLeft == 0 {
		if r.started {
			if err := r.skipCRLF(); err != nil {
				return 0, err
			}
		}
		line, err := br.ReadSlice('\n')
		if err != nil {
			r.c.close()
			return 0, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			r.c.close()
			return 0, errProtocol
		}
		if size == 0 {
			for i := 0; ; i++ { // trailers, up to the empty line
				if i == maxHeaderLines {
					r.c.close()
					return 0, errProtocol
				}
				line, err := br.ReadSlice('\n')
				if err != nil {
					r.c.close()
					return 0, err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					break
				}
			}
			r.finish()
			return 0, io.EOF
		}
		r.chunkLeft, r.started = size, true
	}
	if int64(len(p)) > r.chunkLeft {
		p = p[:r.chunkLeft]
	}
	n, err := br.Read(p)
	r.chunkLeft -= int64(n)
	if err != nil {
		r.c.close()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	}
	return n, err
}

func (r *response) skipCRLF() error {
	var crlf [2]byte
	if _, err := io.ReadFull(r.c.br, crlf[:]); err != nil || crlf != [2]byte{'\r', '\n'} {
		r.c.close()
		return errProtocol
	}
	return nil
}

// readAll returns the whole body.
func (r *response) readAll(dst []byte) ([]byte, error) {
	buf := bytes.NewBuffer(dst[:0])
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

func (r *response) String() string { return fmt.Sprintf("HTTP %d", r.status) }
