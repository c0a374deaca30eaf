package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gosockjs/sockjs/internal/leak"
	"github.com/gosockjs/sockjs/internal/testserver"
)

var transports = []string{"websocket", "xhr-streaming", "eventsource", "xhr-polling"}

// testServer serves the protocol test services until the test ends, with
// a short shutdown grace: the command has exited by then.
func testServer(t *testing.T) *httptest.Server {
	services := testserver.NewForTests()
	srv := httptest.NewServer(services)
	t.Cleanup(func() {
		_ = services.Shutdown(context.Background())
		srv.Close()
	})
	return srv
}

// Each line of input comes back from /echo as a line of output; after the
// linger the command closes with 1000.
func TestEchoesLines(t *testing.T) {
	leak.Check(t)
	srv := testServer(t)
	for _, name := range transports {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			in := "hello\nworld\n%41 é\n"
			code := run(context.Background(), []string{"-transport", name, "-linger", "2s", srv.URL + "/echo"},
				strings.NewReader(in), &stdout, &stderr)
			if code != 0 || stdout.String() != in || stderr.String() != "closed 1000 Normal closure\n" {
				t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
			}
		})
	}
}

// The /close service's close frame is reported on stderr.
func TestReportsServerClose(t *testing.T) {
	leak.Check(t)
	srv := testServer(t)
	for _, name := range transports {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"-transport", name, "-linger", "10s", srv.URL + "/close"},
				strings.NewReader(""), &stdout, &stderr)
			if code != 0 || stdout.Len() != 0 || stderr.String() != "closed 3000 Go away!\n" {
				t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
			}
		})
	}
}

// Bad arguments exit with 2; a URL with no server behind exits with 1.
func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, 2},
		{[]string{"-h"}, 0},
		{[]string{"-nosuchflag", "http://127.0.0.1:1/x"}, 2},
		{[]string{"http://127.0.0.1:1/x"}, 1},
		{[]string{"-transport", "carrier-pigeon", "http://127.0.0.1:1/x"}, 1},
	} {
		var stdout, stderr bytes.Buffer
		if got := run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr); got != tc.want {
			t.Errorf("sockjscat %q: exit %d, want %d (stderr %q)", tc.args, got, tc.want, stderr.String())
		}
	}
}
