// Package clienttest holds the test helpers shared by the client's own
// tests and the interoperability module: dialling, receiving and reading
// the close, each bounded in time and failing the test on error.
package clienttest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gosockjs/sockjs/client"
)

// Only returns Options that try one transport, with a generous open
// timeout for a loaded test machine.
func Only(name string) *client.Options {
	return &client.Options{Transports: []string{name}, OpenTimeout: 10 * time.Second}
}

// Dial dials url within 20 s; the connection is closed when the test ends.
func Dial(t testing.TB, url string, opts *client.Options) *client.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, url, opts)
	if err != nil {
		t.Fatalf("Dial %s: %v", url, err)
	}
	t.Cleanup(func() { _ = c.Close(1000, "") })
	return c
}

// Recv returns the next message, within 20 s.
func Recv(t testing.TB, c *client.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msg, err := c.Recv(ctx)
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	return msg
}

// RecvClose reads until the connection ends, within 30 s, and returns how:
// the error must be a *client.CloseError that matches client.ErrClosed.
func RecvClose(t testing.TB, c *client.Conn) *client.CloseError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		_, err := c.Recv(ctx)
		if err == nil {
			continue
		}
		var ce *client.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("Recv: %v, want a *CloseError", err)
		}
		if !errors.Is(err, client.ErrClosed) {
			t.Errorf("errors.Is(%v, ErrClosed) = false", err)
		}
		return ce
	}
}
