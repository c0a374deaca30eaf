package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// rawWS is a minimal RFC 6455 client: the handshake, masked text frames
// out, unmasked frames in, pings answered, the close handshake. The load
// generator has one CPU for thousands of connections, so its client must
// cost as little as possible; a full websocket library spends more per
// message than the servers it measures.
type rawWS struct {
	nc  net.Conn
	br  *bufio.Reader
	msg []byte // the message being read; valid until the next readMessage

	wmu  sync.Mutex // guards wbuf and writes
	wbuf []byte
	key  [4]byte
}

var errWSClosed = errors.New("websocket closed by the server")

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// dialRawWS opens a websocket to path on host.
func dialRawWS(ctx context.Context, d *dialer, host, path string) (*rawWS, error) {
	nc, err := d.dialContext(ctx)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req := "GET " + path + " HTTP/1.1\r\nHost: " + host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
		"\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(nc, req); err != nil {
		nc.Close()
		return nil, err
	}
	c := &rawWS{nc: nc, br: bufio.NewReaderSize(nc, 4096)}
	if err := c.readHandshake(key); err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	rand.Read(c.key[:])
	return c, nil
}

func (c *rawWS) readHandshake(key string) error {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 101")) {
		return fmt.Errorf("handshake: %q", bytes.TrimSpace(line))
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	want := base64.StdEncoding.EncodeToString(sum[:])
	accepted := false
	for i := 0; ; i++ {
		if i == maxHeaderLines {
			return errors.New("handshake: too many header lines")
		}
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		if asciiEqualFold(name, "Sec-WebSocket-Accept") && string(bytes.TrimSpace(value)) == want {
			accepted = true
		}
	}
	if !accepted {
		return errors.New("handshake: bad Sec-WebSocket-Accept")
	}
	return nil
}

// writeFrame writes one masked frame.
func (c *rawWS) writeFrame(opcode byte, p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b := append(c.wbuf[:0], 0x80|opcode)
	switch n := len(p); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n <= 0xffff:
		b = append(b, 0x80|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = append(b, c.key[:]...)
	start := len(b)
	b = append(b, p...)
	for i := range b[start:] {
		b[start+i] ^= c.key[i&3]
	}
	c.wbuf = b
	_, err := c.nc.Write(b)
	return err
}

func (c *rawWS) writeText(p []byte) error { return c.writeFrame(0x1, p) }

// readMessage returns the next data message; control frames are handled on
// the way. The payload is valid until the next call.
func (c *rawWS) readMessage() ([]byte, error) {
	c.msg = c.msg[:0]
	for range 1 << 16 {
		var hdr [2]byte
		if _, err := io.ReadFull(c.br, hdr[:]); err != nil {
			return nil, err
		}
		fin, opcode := hdr[0]&0x80 != 0, hdr[0]&0x0f
		if hdr[1]&0x80 != 0 {
			return nil, errors.New("masked frame from the server")
		}
		n := uint64(hdr[1] & 0x7f)
		switch n {
		case 126:
			var ext [2]byte
			if _, err := io.ReadFull(c.br, ext[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(ext[:]))
		case 127:
			var ext [8]byte
			if _, err := io.ReadFull(c.br, ext[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(ext[:])
		}
		if n > 1<<24 {
			return nil, errors.New("frame too large")
		}
		if opcode >= 0x8 { // control frame
			var payload [125]byte
			if n > 125 {
				return nil, errors.New("control frame too large")
			}
			if _, err := io.ReadFull(c.br, payload[:n]); err != nil {
				return nil, err
			}
			switch opcode {
			case 0x8:
				_ = c.writeFrame(0x8, payload[:min(n, 2)])
				return nil, errWSClosed
			case 0x9:
				if err := c.writeFrame(0xA, payload[:n]); err != nil {
					return nil, err
				}
			}
			continue
		}
		start := len(c.msg)
		c.msg = append(c.msg, make([]byte, n)...)
		if _, err := io.ReadFull(c.br, c.msg[start:]); err != nil {
			return nil, err
		}
		if fin {
			return c.msg, nil
		}
	}
	return nil, errors.New("too many frames in one message")
}

// closeHandshake sends a close frame and waits, at most 5 s, for the
// server's, then closes the connection.
func (c *rawWS) closeHandshake() {
	defer c.nc.Close()
	if c.writeFrame(0x8, binary.BigEndian.AppendUint16(nil, 1000)) != nil {
		return
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for range 1 << 10 {
		if _, err := c.readMessage(); err != nil {
			return
		}
	}
}

func (c *rawWS) close() { c.nc.Close() }
